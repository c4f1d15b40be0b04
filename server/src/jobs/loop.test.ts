import { describe, expect, it } from 'vitest'
import { Foreground } from './foreground.js'
import { startBatchLoop } from './loop.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A foreground that turns busy now, for `holdMs`: a second of slow acknowledgements just ended. */
function busyForeground(holdMs: number): Foreground {
  const f = new Foreground({ slowMs: 10, slowShare: 0.01, minCount: 50, holdMs, restRatio: 3 })
  const start = performance.now() - 1001
  for (let i = 0; i < 100; i++) f.observe(40, start + i)
  expect(f.busy()).toBe(true)
  return f
}

describe('drain loops', () => {
  it("pause a drain's spare loops while the foreground is busy, keep its first one running, and resume them after", async () => {
    const fg = busyForeground(300)
    const runs = { first: 0, spare: 0 }
    const loop = (name: keyof typeof runs, spare: boolean) =>
      startBatchLoop({
        intervalMs: 10,
        batchSize: 10,
        spare,
        foreground: fg,
        onError: () => undefined,
        once: async () => {
          runs[name]++
          return 0
        },
      })
    const stops = [loop('first', false), loop('spare', true)]
    await sleep(150)
    expect(runs.spare).toBe(0)
    expect(runs.first).toBeGreaterThan(1)
    await sleep(400) // the hold is over
    expect(fg.busy()).toBe(false)
    expect(runs.spare).toBeGreaterThan(0)
    await Promise.all(stops.map((stop) => stop()))
  })
})
