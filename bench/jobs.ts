import { rmSync } from 'node:fs'
import { run as runWorker } from 'graphile-worker'
import { sql } from 'kysely'
import { loadConfig } from '../server/src/config.js'
import { makeTraversableTempDir } from '../server/src/db/embedded.js'
import { workerOptions } from '../server/src/jobs/worker.js'
import { openRuntime } from '../server/src/runtime.js'
import { percentile } from './percentile.mjs'

const print = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`)

/**
 * The job queue as Claimdesk configures it (graphile-worker, local queue, 100 ms polling):
 * throughput of immediate jobs, and how late future-dated jobs (SLA steps, clock actions) fire.
 */
export async function run(opts: Record<string, string | boolean | undefined>) {
  const immediate = Number(opts.duration ?? 10) * 2000
  const future = 2000
  const dataDir = makeTraversableTempDir('claimdesk-bench-jobs-')
  const runtime = await openRuntime(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), {
    takeOwnership: true,
    poolSize: 12,
  })
  const { ctx } = runtime
  try {
    let done = 0
    const lateness: number[] = []
    let resolveAll!: () => void
    let target = immediate
    let finished = new Promise<void>((r) => {
      resolveAll = r
    })
    const runner = await runWorker({
      ...workerOptions(ctx),
      taskList: {
        'bench:noop': async () => {
          if (++done === target) resolveAll()
        },
        'bench:timed': async (payload) => {
          lateness.push(Date.now() - (payload as { due: number }).due)
          if (++done === target) resolveAll()
        },
      },
      crontab: '',
    })
    print({
      bench: 'jobs',
      phase: 'config',
      immediate_jobs: immediate,
      future_jobs: future,
      concurrency: ctx.config.workerConcurrency,
      node: process.version,
    })

    let t0 = Date.now()
    await sql`select graphile_worker.add_jobs(array(select ('bench:noop', '{}'::json, null, null, null, null, null, null)::graphile_worker.job_spec from generate_series(1, ${immediate})))`.execute(
      ctx.db,
    )
    const enqueueMs = Date.now() - t0
    t0 = Date.now()
    await finished
    const drainMs = Date.now() - t0
    print({
      bench: 'jobs',
      phase: 'immediate',
      jobs: immediate,
      enqueue_ms: enqueueMs,
      drain_ms: drainMs,
      jobs_per_sec: Math.round(immediate / (drainMs / 1000)),
    })

    done = 0
    target = future
    finished = new Promise<void>((r) => {
      resolveAll = r
    })
    const base = Date.now() + 2000
    const dues = Array.from({ length: future }, (_, i) => base + Math.floor((i / future) * 5000))
    await sql`select graphile_worker.add_jobs(array(select ('bench:timed', json_build_object('due', d), null, to_timestamp(d / 1000.0), null, null, null, null)::graphile_worker.job_spec from unnest(${dues}::bigint[]) as d))`.execute(
      ctx.db,
    )
    await finished
    lateness.sort((a, b) => a - b)
    print({
      bench: 'jobs',
      phase: 'future',
      jobs: future,
      spread_s: 5,
      late_p50_ms: percentile(lateness, 50),
      late_p99_ms: percentile(lateness, 99),
      late_max_ms: lateness[lateness.length - 1],
    })
    const cpu = process.cpuUsage()
    print({
      bench: 'jobs',
      summary: true,
      queue: 'graphile-worker 0.17.3',
      immediate_jobs_per_sec: Math.round(immediate / (drainMs / 1000)),
      future_late_p50_ms: percentile(lateness, 50),
      future_late_p99_ms: percentile(lateness, 99),
      node_cpu_user_s: Number((cpu.user / 1e6).toFixed(1)),
    })
    await runner.stop()
  } finally {
    await runtime.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
