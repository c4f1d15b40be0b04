export type ForegroundOptions = {
  /** An acknowledgement slower than this counts as slow. */
  slowMs: number
  /** The share of slow acknowledgements in a second (of at least `minCount`) that makes the foreground busy. */
  slowShare: number
  minCount: number
  /** How long the foreground stays busy after such a second. */
  holdMs: number
  /** Rest after a background run, as a multiple of its duration, while the foreground is busy. */
  restRatio: number
}

/**
 * How the process's foreground is faring. Webhook acknowledgements report their times; background
 * loops in the same process (the drains that process what was acknowledged) rest between runs while
 * acknowledgements are slow. On a small machine serving both, a burst of carrier webhooks is answered
 * first and processed a little later, rather than both slowly: a sender kept waiting retries, and
 * some disable the endpoint. Keyed to latency, not rate, so a steady feed the machine can answer fast
 * is processed at full speed and never falls behind for nothing.
 */
export class Foreground {
  private windowStart = -Infinity
  private count = 0
  private slow = 0
  private busyUntil = 0

  constructor(
    private opts: ForegroundOptions = { slowMs: 10, slowShare: 0.01, minCount: 50, holdMs: 5000, restRatio: 3 },
  ) {}

  /** One acknowledgement and how long it took. */
  observe(ms: number, now = performance.now()) {
    this.roll(now)
    this.count++
    if (ms > this.opts.slowMs) this.slow++
  }

  busy(now = performance.now()): boolean {
    this.roll(now)
    return now < this.busyUntil
  }

  /** How long a background run that took `ranMs` should rest before the next. */
  restAfter(ranMs: number, now = performance.now()): number {
    return this.busy(now) ? ranMs * this.opts.restRatio : 0
  }

  /** Waits as long as `restAfter` says (not at all while the foreground is fine). */
  async rest(ranMs: number): Promise<void> {
    const ms = this.restAfter(ranMs)
    if (ms > 0) await new Promise((r) => setTimeout(r, ms))
  }

  private roll(now: number) {
    if (now - this.windowStart < 1000) return
    if (this.count >= this.opts.minCount && this.slow > this.count * this.opts.slowShare)
      this.busyUntil = now + this.opts.holdMs
    this.count = 0
    this.slow = 0
    this.windowStart = now
  }
}

/** The process's one foreground. */
export const foreground = new Foreground()
