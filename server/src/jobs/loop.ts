import type { AppContext } from '../context.js'
import type { Drain } from '../modules.js'
import { foreground, type Foreground } from './foreground.js'

/**
 * Runs `once` now, again at once while it comes back with a full batch, else after `intervalMs`.
 * While the foreground is busy, each run is followed by a rest as long as the foreground says, and a
 * `spare` loop (a drain's second and later) does not run at all: the drain's work goes on as one
 * stream, so processing takes one core's share at most while acknowledgements wait for CPU.
 * A failed run goes to `onError` and is retried on the next tick; the stop function waits for the
 * run in flight.
 */
export function startBatchLoop(opts: {
  intervalMs: number
  batchSize: number
  once: () => Promise<number>
  onError: (err: unknown) => void
  spare?: boolean
  foreground?: Foreground
}): () => Promise<void> {
  const fg = opts.foreground ?? foreground
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let inFlight: Promise<void> = Promise.resolve()
  const run = async () => {
    for (let full = true; full && !stopped; ) {
      if (opts.spare && fg.busy()) break
      const started = performance.now()
      try {
        full = (await opts.once()) >= opts.batchSize
      } catch (err) {
        opts.onError(err)
        full = false
      }
      if (full && !stopped) await fg.rest(performance.now() - started)
    }
    if (!stopped)
      timer = setTimeout(() => {
        inFlight = run()
      }, opts.intervalMs)
  }
  inFlight = run()
  return async () => {
    stopped = true
    clearTimeout(timer)
    await inFlight
  }
}

/** Drains, each as `concurrency` loops, started with the job workers. */
export function startDrains(ctx: AppContext, drains: Drain[]): () => Promise<void> {
  const stops = drains.flatMap((d) =>
    Array.from({ length: d.concurrency ?? 1 }, (_, i) =>
      startBatchLoop({
        intervalMs: d.intervalMs ?? 100,
        batchSize: d.batchSize,
        once: () => d.run(ctx, d.batchSize),
        spare: i > 0,
        onError: (err) => ctx.log.error({ err, drain: d.name }, 'drain run failed; retrying'),
      }),
    ),
  )
  return async () => {
    await Promise.all(stops.map((stop) => stop()))
  }
}
