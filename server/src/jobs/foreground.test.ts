import type { JobHelpers } from 'graphile-worker'
import { describe, expect, it } from 'vitest'
import type { AppContext } from '../context.js'
import { Foreground } from './foreground.js'
import { taskList } from './worker.js'

const options = { slowMs: 10, slowShare: 0.01, minCount: 50, holdMs: 5000, restRatio: 3 }

/** `n` acknowledgements of `ms` each, spread over the second starting at `at`. */
function second(f: Foreground, at: number, n: number, ms: (i: number) => number) {
  for (let i = 0; i < n; i++) f.observe(ms(i), at + (i * 999) / n)
}

describe('the foreground', () => {
  it('turns busy after a second with more than 1% slow acknowledgements, and background runs then rest three times as long as they ran', () => {
    const f = new Foreground(options)
    second(f, 1000, 2000, (i) => (i % 50 === 0 ? 40 : 3)) // 2% slow
    expect(f.busy(1999)).toBe(false) // judged once the second is over
    expect(f.restAfter(20, 2000)).toBe(60)
    expect(f.busy(6999)).toBe(true)
    expect(f.busy(7001)).toBe(false) // held five seconds after the last slow second
  })

  it('stays idle while acknowledgements are fast, however many there are, so a steady feed is processed at full speed', () => {
    const f = new Foreground(options)
    second(f, 1000, 5000, (i) => (i % 200 === 0 ? 40 : 3)) // 0.5% slow
    expect(f.restAfter(20, 2000)).toBe(0)
  })

  it('ignores a few slow acknowledgements on a quiet endpoint', () => {
    const f = new Foreground(options)
    second(f, 1000, 20, () => 40)
    expect(f.busy(2000)).toBe(false)
  })

  it('judges each second on its own: a slow second after a quiet gap still counts, a fast one after it does not extend the hold', () => {
    const f = new Foreground(options)
    second(f, 1000, 100, () => 40)
    expect(f.busy(2000)).toBe(true)
    second(f, 10_000, 100, () => 2)
    expect(f.busy(11_000)).toBe(false)
  })

  it('makes a queued job rest after it ran, while busy, as the drains do', async () => {
    const f = new Foreground(options)
    second(f, performance.now() - 1001, 100, () => 40)
    let runs = 0
    const tasks = taskList(
      [
        {
          name: 'test',
          tasks: {
            'test:work': async () => {
              runs++
              await new Promise((r) => setTimeout(r, 20))
            },
          },
        },
      ],
      {} as AppContext,
      f,
    )
    const started = performance.now()
    await tasks['test:work']!({}, { job: { attempts: 1, max_attempts: 1 } } as unknown as JobHelpers)
    expect(runs).toBe(1)
    // 20 ms of work, then three times that at rest (timers never fire much early; no upper bound asserted).
    expect(performance.now() - started).toBeGreaterThanOrEqual(75)
    const idle = taskList(
      [{ name: 'test', tasks: { 'test:work': async () => undefined } }],
      {} as AppContext,
      new Foreground(options),
    )
    const t0 = performance.now()
    await idle['test:work']!({}, { job: { attempts: 1, max_attempts: 1 } } as unknown as JobHelpers)
    expect(performance.now() - t0).toBeLessThan(50)
  })
})
