import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    setupFiles: ['server/test/no-network.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    // expect.poll waits on a condition; its 1 s default is a timing assumption a loaded machine breaks.
    expect: { poll: { timeout: 30_000 } },
    projects: [
      {
        extends: true,
        test: {
          name: 'server',
          // Files share a worker's module graph: importing the app once per worker, not once per file, halves the run.
          // Each file still gets its own database, so nothing a test writes leaks into another file.
          isolate: false,
          include: ['server/**/*.test.ts', 'web/scripts/**/*.test.ts', 'web/src/**/*.test.ts'],
          globalSetup: ['server/test/global-setup.ts'],
        },
      },
      // The console in Chromium: its bundle built once, one file at a time.
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['web/test/**/*.test.ts'],
          globalSetup: ['server/test/global-setup.ts', 'web/test/build.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
        },
      },
    ],
  },
})
