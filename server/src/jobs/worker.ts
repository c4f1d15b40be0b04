import { EventEmitter } from 'node:events'
import { setTimeout as delay } from 'node:timers/promises'
import { Logger, run, runOnce, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker'
import { sql } from 'kysely'
import type { AppContext } from '../context.js'
import { setupModules, type ClockHandler, type Drain, type JobHandler, type Module } from '../modules.js'
import { type ClockRunnerOptions, fireDueActions, startClockRunner } from './clock-runner.js'
import { foreground, type Foreground } from './foreground.js'
import { startDrains } from './loop.js'
import { outboxRelay, outboxTasks } from './outbox.js'

/**
 * The modules' jobs as graphile-worker tasks. While webhook acknowledgements are slow (`fg` busy), a
 * job rests afterwards, holding its slot, as the drains do, so queued work yields to the foreground.
 */
export function taskList(modules: Module[], ctx: AppContext, fg: Foreground = foreground): TaskList {
  const handlers: Record<string, JobHandler> = {
    ...outboxTasks(modules.flatMap((m) => m.consumers ?? [])),
    ...Object.assign({}, ...modules.map((m) => m.tasks ?? {})),
  }
  const list: TaskList = {}
  for (const [name, handler] of Object.entries(handlers)) {
    list[name] = async (payload, helpers) => {
      const started = performance.now()
      await handler((payload ?? {}) as Record<string, unknown>, ctx, {
        attempts: helpers.job.attempts,
        maxAttempts: helpers.job.max_attempts,
      })
      await fg.rest(performance.now() - started)
    }
  }
  return list
}

export const clockHandlers = (modules: Module[]): Record<string, ClockHandler> =>
  Object.assign({}, ...modules.map((m) => m.clockTasks ?? {}))

/** The platform's outbox relay and the modules' drains. */
export const allDrains = (modules: Module[]): Drain[] => [
  outboxRelay(modules.flatMap((m) => m.consumers ?? [])),
  ...modules.flatMap((m) => m.drains ?? []),
]

/** The queue as Claimdesk runs it; shared with the jobs benchmark so it measures the real settings. */
export function workerOptions(ctx: AppContext) {
  return {
    pgPool: ctx.pool,
    concurrency: ctx.config.workerConcurrency,
    // Measured: localQueue + 100 ms polling keeps future-dated jobs firing within ~100 ms p99 at ~4% CPU.
    pollInterval: 100,
    preset: { worker: { localQueue: { size: 50 } } },
    noHandleSignals: true,
    logger: graphileLogger(ctx),
  }
}

/** `clock`: the clock runner's options (the SLA bench observes its firings). */
export async function startWorker(
  modules: Module[],
  ctx: AppContext,
  opts: { clock?: ClockRunnerOptions } = {},
): Promise<Runner> {
  setupModules(modules)
  // Clock actions fire on their own path, not as graphile jobs: see startClockRunner. It starts first, and what fell
  // due while no worker ran fires before the slower start-up work (the job runner, and in `start` the HTTP app, whose
  // route compilation holds the event loop for seconds), which waits a second at most for it.
  const stopClock = startClockRunner(ctx, clockHandlers(modules), opts.clock)
  await Promise.race([stopClock.firstPass, delay(1000, undefined, { ref: false })])
  const crontab = modules.flatMap((m) => m.cron ?? []).join('\n')
  const events: WorkerEvents = new EventEmitter()
  const pools: string[] = []
  events.on('pool:create', ({ workerPool }) => pools.push(workerPool.id))
  const runner = await run({ ...workerOptions(ctx), taskList: taskList(modules, ctx), crontab, events }).catch(
    async (err: unknown) => {
      await stopClock()
      throw err
    },
  )
  const stopReaper = startReaper(ctx, pools)
  const stopDrains = startDrains(ctx, allDrains(modules))
  const stop = runner.stop.bind(runner)
  runner.stop = async () => {
    await stopClock()
    await stopDrains()
    await stop()
    await stopReaper()
  }
  return runner
}

const beatMs = 5000
const deadAfterSeconds = 30

/**
 * Works through the drains and fires the clock actions due now, then runs every job that is due now
 * (and those they enqueue) to completion, and again while the drains or the clock find more: background work finished without a worker process (the demo,
 * the tests). Returns once job outcomes are written: graphile-worker writes completions and failures
 * back in batches, so it waits until no job is locked (a condition, not a sleep), but by the beating
 * workers of a running server, whose jobs are theirs to finish.
 */
export async function runDueJobs(
  ctx: AppContext,
  modules: Module[],
  opts: { timeoutMs?: number; logger?: Logger; concurrency?: number } = {},
): Promise<void> {
  setupModules(modules)
  const drains = allDrains(modules)
  const handlers = clockHandlers(modules)
  const drainAll = async () => {
    let total = 0
    for (const d of drains) for (let n = 1; n > 0; total += n) n = await d.run(ctx, d.batchSize)
    return total + (await fireDueActions(ctx, handlers))
  }
  await drainAll()
  do {
    await runOnce({
      ...workerOptions(ctx),
      concurrency: opts.concurrency ?? 1,
      taskList: taskList(modules, ctx),
      logger: opts.logger ?? graphileLogger(ctx),
    })
    await waitUnlocked(ctx, opts.timeoutMs ?? 10_000)
  } while (await drainAll())
}

async function waitUnlocked(ctx: AppContext, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { rows } = await sql<{
      n: string
    }>`select count(*) as n from graphile_worker._private_jobs j where j.locked_at is not null
      and not exists (select 1 from job_workers w where w.worker_id = j.locked_by and w.seen_at > now() - make_interval(secs => ${deadAfterSeconds}))`.execute(
      ctx.db,
    )
    if (Number(rows[0]!.n) === 0) return
    if (Date.now() > deadline) throw new Error('jobs stayed locked after runOnce')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Whether job workers of some process are beating: they would take up jobs as soon as they are due. */
export async function workersRunning(ctx: AppContext): Promise<boolean> {
  const { rows } = await sql<{
    live: boolean
  }>`select exists (select 1 from job_workers where seen_at > now() - make_interval(secs => ${deadAfterSeconds})) as live`.execute(
    ctx.db,
  )
  return rows[0]!.live
}

/**
 * Beats for this process's worker pools and unlocks the jobs of pools that stopped beating: a process
 * killed mid-job (SIGKILL, OOM, power) otherwise leaves its locked jobs, and its whole local queue,
 * untouched for graphile-worker's four-hour lock timeout. Every handler is idempotent, so a job that
 * was in fact still running elsewhere is harmless to run again.
 */
function startReaper(ctx: AppContext, pools: string[]): () => Promise<void> {
  let running: Promise<void> = Promise.resolve()
  const beat = async () => {
    try {
      if (pools.length) {
        await sql`insert into job_workers (worker_id, seen_at) select unnest(${pools}::text[]), now()
          on conflict (worker_id) do update set seen_at = excluded.seen_at`.execute(ctx.db)
      }
      const { rows } = await sql<{
        ids: string[] | null
      }>`select array_agg(distinct j.locked_by) as ids from graphile_worker.jobs j
        where j.locked_by is not null and j.locked_at < now() - make_interval(secs => ${deadAfterSeconds})
          and not exists (select 1 from job_workers w where w.worker_id = j.locked_by and w.seen_at > now() - make_interval(secs => ${deadAfterSeconds}))`.execute(
        ctx.db,
      )
      const dead = rows[0]?.ids ?? []
      if (dead.length) {
        await sql`select graphile_worker.force_unlock_workers(${dead}::text[])`.execute(ctx.db)
        ctx.log.warn({ workers: dead }, 'unlocked the jobs of job workers that stopped')
      }
      await sql`delete from job_workers where seen_at < now() - interval '1 day'`.execute(ctx.db)
    } catch (err) {
      ctx.log.warn({ err }, 'job worker heartbeat failed')
    }
  }
  running = beat()
  const timer = setInterval(() => {
    running = running.then(beat)
  }, beatMs)
  return async () => {
    clearInterval(timer)
    await running
    if (pools.length)
      await sql`delete from job_workers where worker_id = any(${pools}::text[])`.execute(ctx.db).catch(() => undefined)
  }
}

function graphileLogger(ctx: AppContext): Logger {
  const log = ctx.log.child({ component: 'worker' })
  return new Logger((scope) => (level, message, meta) => {
    const fields = { ...scope, ...meta }
    if (level === 'error') log.error(fields, message)
    else if (level === 'warning') log.warn(fields, message)
    else if (level === 'info') log.info(fields, message)
    else log.debug(fields, message)
  })
}
