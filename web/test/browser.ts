import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll } from 'vitest'
import { startTestApp, type StartedApp, type TestAppOptions } from '../../server/test/harness.js'

/** Debian's Chromium (`.ci/run` installs it), quiet and offline; Playwright gives each launch a fresh profile directory. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** Signs in on the console's sign-in page and waits for the inbox. */
export async function signIn(
  page: import('playwright-core').Page,
  base: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${base}/inbox`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel(/^Password/).fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'All open' }).waitFor()
}

/** Signs in at the test's console, as its workspace's admin unless told. */
type SignIn = (page: Page, email?: string, password?: string) => Promise<void>
export type ConsoleTest<O extends TestAppOptions> = StartedApp<O & { listen: true }> & {
  browser: Browser
  signIn: SignIn
}

/**
 * A browser test file's app, listening on a local port, its workspace and Chromium, closed after its tests:
 * awaited at the top of the file (`const { env, app, m, base, browser, signIn } = await startConsoleTest()`).
 */
export async function startConsoleTest<const O extends Omit<TestAppOptions, 'listen'> = Record<never, never>>(
  options?: O,
): Promise<ConsoleTest<O>> {
  const started = await startTestApp({ ...options, listen: true })
  const browser = await launchChromium()
  afterAll(() => browser.close())
  const { m, base } = started
  const signInHere: SignIn = (page, email = m.adminEmail, password = m.password) => signIn(page, base, email, password)
  return { ...started, browser, signIn: signInHere } as unknown as ConsoleTest<O>
}

/** Where screenshots for review go (ignored by git). */
export const outputDir = path.resolve('test-output', 'browser')

/** axe-core's serious and critical findings on the page as it is now (labels, contrast, roles, names), or in the part `within` selects. */
export async function accessibilityProblems(page: import('playwright-core').Page, within?: string): Promise<string[]> {
  const { readFileSync } = await import('node:fs')
  const { createRequire } = await import('node:module')
  // Evaluated through the debugger protocol: the console's CSP refuses inline scripts, as it should.
  await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'))
  const found = await page.evaluate(async (within) => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: Document | { include: string[] },
            opts: object,
          ) => Promise<{
            violations: { id: string; impact: string; help: string; nodes: { target: string[]; html: string }[] }[]
          }>
        }
      }
    ).axe
    const r = await axe.run(within ? { include: [within] } : document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
    })
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id}: ${v.help} (${v.nodes
            .slice(0, 3)
            .map((n) => n.html.slice(0, 160))
            .join(' | ')})`,
      )
  }, within)
  return found
}
