import path from 'node:path'
import { chromium, type Browser } from 'playwright-core'

/** Debian's Chromium (`.ci/run` installs it), quiet and offline; Playwright gives each launch a fresh profile directory. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/** Where screenshots for review go (ignored by git). */
export const outputDir = path.resolve('test-output', 'browser')
