import { readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { brotliCompressSync, gzipSync } from 'node:zlib'
import { print } from './fork.js'
import { percentile } from './percentile.mjs'
import { launchChromium } from '../web/test/browser.js'
import { loadConfig } from '../server/src/config.js'
import { makeTraversableTempDir } from '../server/src/db/embedded.js'
import { unresolvedStatuses } from '../server/src/cases/tables.js'
import { seedBacklog } from '../server/src/demo/backlog.js'
import { seedDemo } from '../server/src/demo/seed.js'
import { buildApp } from '../server/src/app.js'
import { consoleDist, ensureConsoleBuilt } from '../server/src/http/console.js'
import { modules } from '../server/src/registry.js'
import { openRuntime } from '../server/src/runtime.js'

const round = (ms: number) => Math.round(ms)
const ascending = (xs: number[]) => [...xs].sort((a, b) => a - b)
const median = (xs: number[]) => percentile(ascending(xs), 50)

// Long tasks from the first byte on, so "interactive" can be told apart from "painted".
const observeLongTasks = `window.__longTasks = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push([e.startTime, e.startTime + e.duration]) }).observe({ type: 'longtask', buffered: true });
window.__lcp = 0; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lcp = e.startTime }).observe({ type: 'largest-contentful-paint', buffered: true });`

/**
 * The console's production bundle (gzipped) and the inbox's time to interactive in Debian's Chromium,
 * on the demo workspace with a backlog of open cases (default 10,000): `--open-cases n`, `--orders n`.
 * Interactive = the first page of cases is on screen and the main thread has had no long task for 1 s
 * (Lighthouse's rule, with a shorter quiet window). Cold = a new browser profile (bundle fetched over
 * loopback, no cache); warm = a reload with the bundle cached.
 */
export async function run(opts: Record<string, string | boolean | undefined>) {
  const openCases = Number(opts['open-cases'] ?? opts.cases ?? 10_000)
  const orders = Number(opts.orders ?? 4800)
  const dataDir = makeTraversableTempDir('claimdesk-bench-console-')
  const runtime = await openRuntime(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), {
    takeOwnership: true,
    poolSize: 8,
    settings: { synchronous_commit: 'off' },
  })
  const { ctx } = runtime
  ctx.log.level = 'warn'
  const browser = await launchChromium()
  try {
    let t = Date.now()
    await ensureConsoleBuilt(ctx.log)
    const assets = readdirSync(path.join(consoleDist, 'assets'))
      .filter((f) => !/\.(br|gz)$/.test(f))
      .map((f) => {
        const bytes = readFileSync(path.join(consoleDist, 'assets', f))
        return {
          file: f,
          bytes: bytes.length,
          gzip_bytes: gzipSync(bytes, { level: 9 }).length,
          brotli_bytes: brotliCompressSync(bytes).length,
        }
      })
    const initial = readFileSync(path.join(consoleDist, 'index.html'), 'utf8')
      .match(/assets\/[^"]+/g)!
      .map((a) => a.slice('assets/'.length))
    const gz = (files: typeof assets) => Math.round(files.reduce((n, a) => n + a.gzip_bytes, 0) / 1024)
    const br = (files: typeof assets) => Math.round(files.reduce((n, a) => n + a.brotli_bytes, 0) / 1024)
    print({
      bench: 'console',
      phase: 'bundle',
      build_seconds: (Date.now() - t) / 1000,
      initial_kb_gzip: gz(assets.filter((a) => initial.includes(a.file))),
      initial_kb_brotli: br(assets.filter((a) => initial.includes(a.file))),
      total_kb_gzip: gz(assets),
      assets: assets.map((a) => ({ ...a, initial: initial.includes(a.file) })),
      node: process.version,
      cpus: os.cpus().length,
    })

    t = Date.now()
    const demo = await seedDemo(ctx, { orders, concurrency: 4 })
    const added = await seedBacklog(ctx, demo.merchantId, openCases, new Date())
    const unresolved = Number(
      (
        await ctx.db
          .selectFrom('cases')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('merchant_id', '=', demo.merchantId)
          .where('status', 'in', unresolvedStatuses)
          .executeTakeFirstOrThrow()
      ).n,
    )
    print({
      bench: 'console',
      phase: 'data',
      seconds: (Date.now() - t) / 1000,
      open_cases: unresolved,
      backlog_added: added,
      demo_cases: demo.cases?.total,
    })

    const app = await buildApp(ctx, modules)
    await app.listen({ port: 0, host: '127.0.0.1' })
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    const agent = demo.logins.find((l) => l.role === 'agent')!
    const runs = { cold: [] as Record<string, number>[], warm: [] as Record<string, number>[] }
    for (let i = 0; i < 6; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
      await context.addInitScript(observeLongTasks)
      const page = await context.newPage()
      const login = await page.request.post(`${base}/api/v1/auth/login`, {
        data: { email: agent.email, password: agent.password },
      })
      if (!login.ok()) throw new Error(`login failed: ${login.status()}`)
      for (const kind of ['cold', 'warm'] as const) {
        if (kind === 'cold') await page.goto(`${base}/inbox`)
        else await page.reload()
        await page.locator('table[aria-label="Cases"] tbody tr').nth(49).waitFor()
        const rowsAt = await page.evaluate(() => performance.now())
        await page.waitForTimeout(1500)
        const m = await page.evaluate((rows) => {
          const w = window as unknown as { __longTasks: [number, number][]; __lcp: number }
          const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming
          const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0
          const lastLong = w.__longTasks.filter(([start]) => start >= fcp).reduce((end, [, e]) => Math.max(end, e), 0)
          return {
            rows_visible_ms: rows,
            tti_ms: Math.max(rows, lastLong),
            fcp_ms: fcp,
            lcp_ms: w.__lcp,
            dom_content_loaded_ms: nav.domContentLoadedEventEnd,
            long_tasks: w.__longTasks.length,
            transfer_kb: Math.round(
              performance
                .getEntriesByType('resource')
                .reduce((n, r) => n + (r as PerformanceResourceTiming).transferSize, 0) / 1024,
            ),
          }
        }, rowsAt)
        // The first run warms the server's statement plans and the OS caches; it is not counted.
        if (i > 0) runs[kind].push(m)
      }
      await context.close()
    }
    for (const kind of ['cold', 'warm'] as const) {
      const keys = Object.keys(runs[kind][0]!)
      print({
        bench: 'console',
        phase: 'inbox',
        load: kind,
        samples: runs[kind].length,
        open_cases: unresolved,
        ...Object.fromEntries(keys.map((k) => [`${k}_median`, round(median(runs[kind].map((r) => r[k]!)))])),
        tti_ms_all: runs[kind].map((r) => round(r.tti_ms!)),
      })
    }
    print({
      bench: 'console',
      summary: true,
      open_cases: unresolved,
      initial_kb_gzip: gz(assets.filter((a) => initial.includes(a.file))),
      initial_kb_brotli: br(assets.filter((a) => initial.includes(a.file))),
      total_kb_gzip: gz(assets),
      inbox_tti_cold_ms: round(median(runs.cold.map((r) => r.tti_ms!))),
      inbox_tti_warm_ms: round(median(runs.warm.map((r) => r.tti_ms!))),
      load_avg: os.loadavg().map((x) => Math.round(x * 10) / 10),
    })
    await app.close()
  } finally {
    await browser.close()
    await runtime.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
