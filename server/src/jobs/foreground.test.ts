import { describe, expect, it } from 'vitest'
import { Foreground } from './foreground.js'

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
})
