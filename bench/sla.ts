import { type ChildProcess, fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { rmSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { buildApp } from '../server/src/app.js'
import { systemContext } from '../server/src/auth/actor.js'
import { ensureDefaultCaseTypes } from '../server/src/cases/service.js'
import { findBuiltinRoleId } from '../server/src/roles/service.js'
import { createUser } from '../server/src/users/service.js'
import type { Db } from '../server/src/db/database.js'
import { newId } from '../server/src/ids.js'
import { setupModules } from '../server/src/modules.js'
import { modules } from '../server/src/registry.js'
import { forkLoad, type LoadReport, print } from './fork.js'
import { ownerDb } from './owner.js'
import { percentile } from './percentile.mjs'
import { createBenchFeed, createBenchMerchant, openBenchRuntime } from './setup.js'
import { type StepTask, stepOf } from './sla-task.js'
import type { WorkerReport } from './sla-worker.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const num = (v: string | boolean | undefined, dflt: number) => (typeof v === 'string' ? Number(v) : dflt)

/**
 * The clock under SLA load: `--due` open cases (100,000) each with an escalation step falling due within
 * the next `--window` seconds (120), over `--background` steps (1,000,000) due days later, in a worker
 * process of their own (the job workers, the clock runner, the background loops) beside an API process
 * (this one). Prints per-step lateness (commit of the firing transaction minus the instant) p50/p99/max,
 * fired, missed, doubled, and the worker's CPU and RSS; then SIGKILLs the worker mid-run for `--down`
 * seconds (30), restarts it, and prints the lateness of the steps that came due meanwhile and how long
 * after the restart that backlog was fired (waiting up to five minutes past the window for every due step). `--ingest 1000`: signed carrier webhooks at 1,000/s alongside.
 * `--short`: 10,000 due over 30 s above 100,000, down 10 s. `--step light`: steps that do nothing in their
 * transaction, for the clock's own path apart from a step's work; `--step recorded`: a bare case activity
 * (a timeline entry through recordCaseActivity). By default each step is the SLA module's own `sla:step`: the
 * 75 % step of a case's 4-hour resolution target, telling its assignee.
 */
export async function run(opts: Record<string, string | boolean | undefined>) {
  const short = Boolean(opts.short)
  const due = num(opts.due ?? opts.cases, short ? 10_000 : 100_000)
  const background = num(opts.background, short ? 100_000 : 1_000_000)
  const windowS = num(opts.window ?? opts.duration, short ? 30 : 120)
  const downS = num(opts.down, Math.min(30, Math.floor(windowS / 3)))
  const ingestRate = num(opts.ingest, 0)
  const stepName = typeof opts.step === 'string' ? opts.step : undefined
  const step = stepOf(stepName)
  const { dataDir, runtime } = await openBenchRuntime('claimdesk-bench-sla-')
  const { ctx } = runtime
  const db = ctx.db
  setupModules(modules)
  let worker: ChildProcess | undefined
  try {
    const t = Date.now()
    const agents: string[] = []
    const { merchant, feed } = await db.transaction().execute(async (trx) => {
      const merchant = await createBenchMerchant(trx, 'sla', 'SLA Ltd')
      await ensureDefaultCaseTypes(trx, merchant.id, new Date())
      const role = await findBuiltinRoleId(trx, merchant.id, 'agent')
      for (let a = 1; a <= 20; a++)
        agents.push(
          (
            await createUser(
              trx,
              systemContext(merchant.id),
              { email: `agent${a}@sla.example.com`, name: `Agent ${a}`, password: randomUUID(), roleId: role },
              new Date(),
            )
          ).id,
        )
      const feed = ingestRate ? await createBenchFeed(trx, ctx.keys.secrets, merchant.id, 'SLA feed') : undefined
      return { merchant, feed }
    })
    const caseIds = await insertCases(db, merchant.id, due, agents)
    await insertActions(
      db,
      step,
      merchant.id,
      background,
      () => new Date(Date.now() + (1 + Math.random() * 29) * 86_400_000),
    )
    // As autovacuum would have by now (the application role may not analyze; the owner does).
    const owner = ownerDb(runtime)
    await sql`analyze scheduled_actions`.execute(owner)
    await sql`analyze cases`.execute(owner)
    await owner.destroy()
    print({
      bench: 'sla',
      phase: 'config',
      due_steps: due,
      background_steps: background,
      window_s: windowS,
      down_s: downS,
      ingest_per_s: ingestRate,
      task: step.task,
      setup_s: (Date.now() - t) / 1000,
      cpus: os.cpus().length,
      loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
      node: process.version,
      database: 'embedded PostgreSQL, synchronous_commit on',
    })

    // The API (for the webhooks alongside), in this process as with WORKERS=false.
    const app = ingestRate ? await buildApp(ctx, modules) : undefined
    const url =
      app && `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/carriers/generic/${feed!.connection.id}`

    // The worker process and its reports.
    const firedAt = new Map<string, { at: number; committed: number }>()
    let fireReports = 0
    const cpu: { at: number; ms: number; worker: number }[] = []
    let rssMax = 0
    let starts = 0
    const startWorker = async () => {
      const child = fork(fileURLToPath(new URL('./sla-worker.ts', import.meta.url)), {
        execArgv: ['--import', 'tsx'],
        env: {
          ...process.env,
          DATA_DIR: dataDir,
          LOG_LEVEL: process.env.SLA_WORKER_LOG ?? 'warn',
          SLA_BENCH_STEP: stepName ?? '',
        },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
      const n = ++starts
      const spawned = Date.now()
      const ready = new Promise<number>((resolve, reject) => {
        child.on('message', (m: WorkerReport | { ready: number }) => {
          if ('ready' in m) return resolve(m.ready)
          for (const [id, at, committed] of m.fired) {
            if (firedAt.has(id)) fireReports++ // a second firing of one action would show here too
            firedAt.set(id, { at, committed })
          }
          cpu.push({ at: m.at, ms: m.cpu_ms, worker: n })
          rssMax = Math.max(rssMax, m.rss_mb)
        })
        child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before it was ready`)))
      })
      worker = child
      return { child, spawned, ready: await ready }
    }
    const first = await startWorker()

    // The steps falling due: instants spread at random over the window, from 5 s on.
    const t0 = Date.now() + 5000
    const instants = caseIds.map(() => new Date(t0 + Math.random() * windowS * 1000))
    await step.prepare?.(
      db,
      merchant.id,
      caseIds.map((caseId, i) => ({ caseId, runAt: instants[i]! })),
    )
    const dueIds = await insertActions(db, step, merchant.id, due, (i) => instants[i]!, caseIds)
    const windowEnd = t0 + windowS * 1000
    const ingest =
      url &&
      forkLoad<LoadReport>('./load-ingest.mjs', {
        url,
        secret: feed!.secret,
        duration: windowS + 5,
        connections: 50,
        rate: ingestRate,
        prefix: 'S',
        count: 0,
      })

    // Mid-run, the worker dies (SIGKILL) and comes back `downS` seconds later.
    const killAt = t0 + Math.max(0, (windowS - downS) / 2) * 1000
    await sleep(killAt - Date.now())
    const cpuBeforeKill = cpu.filter((c) => c.worker === 1)
    first.child.kill('SIGKILL')
    const killed = Date.now()
    await once(first.child, 'exit')
    await sleep(downS * 1000 - (Date.now() - killed))
    const second = await startWorker()

    // Until every due step fired, or five minutes past the window.
    const pendingDue = async () =>
      Number(
        (
          await sql<{
            n: string
          }>`select count(*) as n from scheduled_actions where merchant_id = ${merchant.id} and state = 'scheduled' and run_at <= now()`.execute(
            db,
          )
        ).rows[0]!.n,
      )
    await sleep(windowEnd - Date.now())
    const deadline = Date.now() + 300_000
    while ((await pendingDue()) > 0 && Date.now() < deadline) await sleep(200)
    const finished = Date.now()
    const ingestReport = ingest ? await ingest : undefined
    second.child.kill('SIGTERM')
    await once(second.child, 'exit')
    worker = undefined

    // Outcomes from the database: fired, missed (due, not fired), doubled (two timeline entries of one step).
    const { rows: outcome } = await sql<{ id: string; state: string; run_at: Date; fired_at: Date | null }>`
      select id, state, run_at, fired_at from scheduled_actions
      where merchant_id = ${merchant.id} and id = any(${dueIds}::uuid[])`.execute(db)
    // Each due case has one step: two entries of it on one case are a double.
    const { rows: doubled } = await sql<{ n: string; entries: string }>`
      select count(*) filter (where k > 1) as n, coalesce(sum(k), 0) as entries from (
        select count(*) as k from case_timeline where merchant_id = ${merchant.id} and type = ${step.entry ?? ''}
        group by case_id) x`.execute(db)
    const fired = outcome.filter((r) => r.state === 'fired')
    const missed = outcome.filter((r) => r.state !== 'fired' && r.run_at.getTime() <= finished).length
    // Lateness: the worker's report of each commit; for the few fired just before the kill whose report
    // was lost with the process, the firing transaction's start (fired_at).
    let unreported = 0
    const lateness = (rows: typeof fired) =>
      rows
        .map((r) => {
          const f = firedAt.get(r.id)
          if (!f) unreported++
          return f ? f.committed - f.at : r.fired_at!.getTime() - r.run_at.getTime()
        })
        .sort((a, b) => a - b)
    const downFrom = killed
    const downTo = second.ready
    const inDowntime = (r: { run_at: Date }) => r.run_at.getTime() >= downFrom && r.run_at.getTime() < downTo
    const live = lateness(fired.filter((r) => !inDowntime(r)))
    const beforeKill = lateness(fired.filter((r) => r.run_at.getTime() < downFrom))
    const afterRestart = lateness(fired.filter((r) => r.run_at.getTime() >= downTo))
    const backlogRows = fired.filter(inDowntime)
    const backlog = lateness(backlogRows)
    const backlogDone = Math.max(
      ...backlogRows.map((r) => firedAt.get(r.id)?.committed ?? r.fired_at!.getTime()),
      second.ready,
    )
    const stats = (xs: number[]) =>
      xs.length
        ? { p50_ms: percentile(xs, 50), p99_ms: percentile(xs, 99), max_ms: xs[xs.length - 1] }
        : { p50_ms: null, p99_ms: null, max_ms: null }
    const cpuPct = (samples: typeof cpu) =>
      samples.length > 1
        ? Math.round(((samples.at(-1)!.ms - samples[0]!.ms) / (samples.at(-1)!.at - samples[0]!.at)) * 100)
        : null
    const cpuAfter = cpu.filter((c) => c.worker === 2)
    print({
      bench: 'sla',
      phase: 'live',
      steps: live.length,
      ...stats(live),
      before_kill: { steps: beforeKill.length, ...stats(beforeKill) },
      after_restart: { steps: afterRestart.length, ...stats(afterRestart) },
      worker_cpu_pct_of_a_core: cpuPct(cpuBeforeKill),
      worker_rss_max_mb: rssMax,
    })
    print({
      bench: 'sla',
      phase: 'worker_down',
      down_s: (second.spawned - killed) / 1000,
      worker_start_s: (second.ready - second.spawned) / 1000,
      steps_due_while_down: backlog.length,
      ...stats(backlog),
      backlog_fired_s_after_worker_ready: (backlogDone - second.ready) / 1000,
      backlog_fired_s_after_spawn: (backlogDone - second.spawned) / 1000,
      worker_cpu_pct_of_a_core_after_restart: cpuPct(cpuAfter),
    })
    if (ingestReport) {
      const { latencies_ms: _latencies, ...report } = ingestReport as LoadReport & { latencies_ms?: number[] }
      print({ bench: 'sla', phase: 'ingest', ...report })
    }
    const all = [...live, ...backlog].sort((a, b) => a - b)
    print({
      bench: 'sla',
      summary: true,
      due_steps: due,
      background_steps: background,
      fired: fired.length,
      missed,
      doubled: Number(doubled[0]!.n) + fireReports,
      step_entries: Number(doubled[0]!.entries),
      late_p50_ms: percentile(live, 50),
      late_p99_ms: percentile(live, 99),
      late_max_ms: live.at(-1),
      all_late_p99_ms: percentile(all, 99),
      backlog_late_max_ms: backlog.at(-1) ?? null,
      backlog_fired_s_after_restart: (backlogDone - second.ready) / 1000,
      unreported_commits: unreported,
      worker_cpu_pct_of_a_core: cpuPct(cpuBeforeKill),
      worker_rss_max_mb: rssMax,
      ingest_ack_p99_ms: ingestReport?.p99_ms,
      ingest_non_2xx: ingestReport?.non_2xx,
      loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
    })
    await app?.close()
  } finally {
    worker?.kill('SIGKILL')
    await runtime.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** `n` open cases of the workspace, each assigned to one of `agents`, inserted in bulk (one statement per 50,000); their ids. */
async function insertCases(db: Db, merchantId: string, n: number, agents: string[]): Promise<string[]> {
  const ids = Array.from({ length: n }, () => newId())
  const now = new Date()
  for (let i = 0; i < n; i += 50_000) {
    await sql`insert into cases (merchant_id, id, number, type_key, subject, status, priority, channel, source, sla_tier, assignee_id, created_at, updated_at)
      select ${merchantId}, id, ${i} + ord, 'damaged', 'Parcel arrived damaged #' || (${i} + ord), 'open', 'normal', 'email', 'manual', 'standard',
        (${agents}::uuid[])[1 + (${i} + ord) % ${agents.length}], ${now}, ${now}
      from unnest(${ids.slice(i, i + 50_000)}::uuid[]) with ordinality as x(id, ord)`.execute(db)
  }
  await sql`insert into case_counters (merchant_id, last_number) values (${merchantId}, ${n})
    on conflict (merchant_id) do update set last_number = excluded.last_number`.execute(db)
  return ids
}

/**
 * `n` pending steps of `step.task` (for `caseIds`, or cases of no consequence, due later), inserted in
 * bulk, 100,000 a statement; their ids.
 */
async function insertActions(
  db: Db,
  step: StepTask,
  merchantId: string,
  n: number,
  runAt: (i: number) => Date,
  caseIds?: string[],
): Promise<string[]> {
  const ids: string[] = []
  const now = new Date()
  for (let i = 0; i < n; i += 100_000) {
    const m = Math.min(100_000, n - i)
    const cases = caseIds ? caseIds.slice(i, i + m) : Array.from({ length: m }, () => newId())
    const batch = cases.map(() => newId())
    ids.push(...batch)
    await sql`insert into scheduled_actions (merchant_id, id, key, task, payload, run_at, created_at)
      select ${merchantId}, id, key, ${step.task}, payload, run_at, ${now}
      from unnest(${batch}::uuid[], ${cases.map(step.key)}::text[], ${cases.map((c) => JSON.stringify(step.payload(c)))}::jsonb[],
        ${cases.map((_, j) => runAt(i + j).toISOString())}::timestamptz[]) as x(id, key, payload, run_at)`.execute(db)
  }
  return ids
}
