import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { rmSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import Fastify from 'fastify'
import { forkLoad, type LoadReport, print } from './fork.js'
import { ownerDb } from './owner.js'
import { percentile, percentileMs } from './percentile.mjs'
import { createBenchFeed, createBenchMerchant, openBenchRuntime } from './setup.js'
import { sql } from 'kysely'
import { buildApp } from '../server/src/app.js'
import { startWorker } from '../server/src/jobs/worker.js'
import { setupModules } from '../server/src/modules.js'
import { modules } from '../server/src/registry.js'

type Load = LoadReport & { latencies_ms?: number[]; accepted: number; p99_9_ms: number }

type DiskFlushes = {
  disk_flush_p50_ms: number
  disk_flush_p99_ms: number
  disk_flush_max_ms: number
  disk_flushes_over_25ms: number
}

const load = (spec: Record<string, unknown>) => forkLoad<Load>('./load-ingest.mjs', spec)

/**
 * Signed generic carrier webhooks at concurrency 50 against the real server, beside a bare Fastify
 * endpoint verifying the same signature in the same run: first with the workers off (an API-only
 * process, as with WORKERS=false), flat out and at a fixed 2,000/s (evenly spaced, open loop, latency
 * counted from each request's due time); then with the workers processing
 * alongside, flat out and at 2,000/s, whose processing lag is measured once all is processed.
 */
export async function run(opts: Record<string, string | boolean | undefined>) {
  const duration = Number(opts.duration ?? 10)
  const connections = Number(opts.connections ?? 50)
  const { dataDir, runtime } = await openBenchRuntime('claimdesk-bench-')
  const { ctx } = runtime
  const owner = ownerDb(runtime)
  setupModules(modules) // the providers, for the connection made before the app
  try {
    const { connection, secret } = await ctx.db.transaction().execute(async (trx) => {
      const merchant = await createBenchMerchant(trx, 'bench', 'Bench Ltd')
      return createBenchFeed(trx, ctx.keys.secrets, merchant.id, 'Bench feed')
    })
    const app = await buildApp(ctx, modules)
    await app.listen({ port: 0, host: '127.0.0.1' })
    // biome-ignore lint/style/useConst: assigned once the API-only phases are done; stopped in `finally`
    let worker: { stop: () => Promise<void> } | undefined
    // `--worker-process`: the workers as a deployment splits them, in a `claimdesk worker` process of their
    // own at nice 10, so the kernel schedules the API first; by default they share the server's process.
    const startWorkers = async () => {
      if (!opts['worker-process']) return startWorker(modules, ctx)
      const child = spawn(
        process.execPath,
        [fileURLToPath(new URL('../bin/claimdesk.js', import.meta.url)), 'worker'],
        { env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, stdio: 'inherit' },
      )
      os.setPriority(child.pid!, 10)
      return {
        stop: async () => {
          child.kill('SIGTERM')
          await once(child, 'exit')
        },
      }
    }
    const { verifyStandardWebhook } = await import('../server/src/intake/providers/standard-webhooks.js')
    const bare = Fastify()
    bare.removeAllContentTypeParsers()
    bare.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
    bare.post('/bare', async (req) => {
      verifyStandardWebhook({
        headers: req.headers as Record<string, string>,
        rawBody: req.body as Buffer,
        secrets: [secret],
        now: new Date(),
      })
      return { received: true }
    })
    await bare.listen({ port: 0, host: '127.0.0.1' })
    const port = (s: { server: { address: () => unknown } }) => (s.server.address() as { port: number }).port
    // Until every stored delivery has been processed (at most 10 minutes).
    const drain = async () => {
      const start = Date.now()
      for (;;) {
        const { rows } = await sql<{
          n: string
        }>`select count(*) as n from webhook_deliveries where status = 'received'`.execute(ctx.db)
        if (Number(rows[0]!.n) === 0 || Date.now() - start > 600_000) return
        await new Promise((r) => setTimeout(r, 250))
      }
    }
    // WAL segment files in pg_wal: a commit that needs a segment nobody made yet waits while one is created
    // and zero-filled (16 MB). After a checkpoint, old segments are recycled (renamed) instead.
    const walFiles = async () =>
      Number(
        (
          await sql<{ n: string }>`select count(*) as n from pg_ls_waldir() where name ~ '^[0-9A-F]{24}$'`.execute(
            owner,
          )
        ).rows[0]!.n,
      )
    // Each measured phase starts as on a server up past one checkpoint interval: the WAL segments the
    // last one used are recycled, not created and zero-filled (16 MB each, under the WAL write lock)
    // as on a cluster minutes old. `--fresh` measures that first-minutes case instead.
    const settle = async () => {
      if (!opts.fresh) await sql`checkpoint`.execute(owner)
      return walFiles()
    }
    // The paced phases run `--repeat` times (default 3): one 10-second run's p99 rests on its 200 slowest
    // requests, so a single disk stall of 50 ms or more decides it. Each run is printed, and the runs
    // together (60,000 acknowledgements over 30 seconds) give the pooled percentiles. A disk probe runs
    // beside each run, so a run's p99 can be read against the device's flush stalls during it.
    const repeat = Number(opts.repeat ?? 3)
    const pacedRuns = async (phase: string, prefix: string) => {
      const runs: Load[] = []
      const stalls: number[] = []
      const all: number[] = []
      for (let r = 0; r < repeat; r++) {
        const before = await settle()
        const [{ latencies_ms: latencies, ...run }, disk] = await Promise.all([
          load({ url, secret, duration, connections, rate: 2000, prefix: `${prefix}${r}_`, count: 0 }),
          forkLoad<DiskFlushes>('./disk-flush.mjs', { dir: dataDir, duration }),
        ])
        print({
          bench: 'ingest',
          target: 'claimdesk',
          phase,
          run: r + 1,
          ...run,
          fresh: Boolean(opts.fresh),
          wal_files_created: (await walFiles()) - before,
          ...disk,
        })
        runs.push(run)
        stalls.push(disk.disk_flushes_over_25ms)
        for (const l of latencies!) all.push(l)
      }
      all.sort((a, b) => a - b)
      const pooled = (p: number) => percentileMs(all, p)
      const p99s = runs.map((x) => x.p99_ms).sort((a, b) => a - b)
      return {
        runs,
        p99_median: percentile(p99s, 50),
        p99_worst: p99s.at(-1)!,
        p99_9_worst: Math.max(...runs.map((x) => x.p99_9_ms)),
        pooled: { p50: pooled(50), p99: pooled(99), p99_9: pooled(99.9) },
        diskStalls: stalls,
      }
    }
    const url = `http://127.0.0.1:${port(app)}/webhooks/carriers/generic/${connection.id}`
    print({
      bench: 'ingest',
      phase: 'config',
      duration_s: duration,
      connections,
      workers: opts['worker-process'] ? 'own process, nice 10' : 'in the server process',
      node: process.version,
      database: 'embedded PostgreSQL, synchronous_commit on',
    })

    await load({ url, secret, duration: 2, connections, prefix: 'W', count: 20_000 })
    const bareResult = await load({
      url: `http://127.0.0.1:${port(bare)}/bare`,
      secret,
      duration,
      connections,
      prefix: 'B',
      count: 200_000,
    })
    print({ bench: 'ingest', target: 'bare_fastify', ...bareResult })
    await settle()
    const apiOnly = await load({ url, secret, duration, connections, prefix: 'A', count: 200_000 })
    print({ bench: 'ingest', target: 'claimdesk', phase: 'max_api_only', ...apiOnly })
    const pacedApiOnly = await pacedRuns('paced_2000_per_s_api_only', 'Q')
    worker = await startWorkers()
    await drain()
    await settle()
    const max = await load({ url, secret, duration, connections, prefix: 'M', count: 200_000 })
    print({ bench: 'ingest', target: 'claimdesk', phase: 'max_with_workers', ...max })
    await drain()
    const paced = await pacedRuns('paced_2000_per_s', 'P')

    const drainStart = Date.now()
    await drain()
    const { rows: lag } = await sql<{ p50: number; p99: number; stored: string; events: string }>`
      select percentile_cont(0.5) within group (order by extract(epoch from processed_at - received_at)) as p50,
        percentile_cont(0.99) within group (order by extract(epoch from processed_at - received_at)) as p99,
        count(*) as stored, (select count(*) from tracking_events) as events
      from webhook_deliveries where processed_at is not null and dedup_key like 'msg\_P%'`.execute(ctx.db)
    print({
      bench: 'ingest',
      summary: true,
      accepted_per_sec_api_only: Math.round(apiOnly.requests_per_sec),
      accepted_per_sec_with_workers: Math.round(max.requests_per_sec),
      bare_per_sec: Math.round(bareResult.requests_per_sec),
      ratio_to_bare_api_only: Number((apiOnly.requests_per_sec / bareResult.requests_per_sec).toFixed(3)),
      ratio_to_bare_with_workers: Number((max.requests_per_sec / bareResult.requests_per_sec).toFixed(3)),
      api_only_ack_p99_ms: apiOnly.p99_ms,
      api_only_paced_2000_ack_p99_ms_pooled: pacedApiOnly.pooled.p99,
      api_only_paced_2000_ack_p99_9_ms_pooled: pacedApiOnly.pooled.p99_9,
      api_only_paced_2000_ack_p99_ms_median: pacedApiOnly.p99_median,
      api_only_paced_2000_ack_p99_ms_worst: pacedApiOnly.p99_worst,
      api_only_paced_2000_ack_p99_9_ms_worst: pacedApiOnly.p99_9_worst,
      ack_p50_ms: max.p50_ms,
      ack_p99_ms: max.p99_ms,
      ack_p99_9_ms: max.p99_9_ms,
      paced_2000_ack_p50_ms_pooled: paced.pooled.p50,
      paced_2000_ack_p99_ms_pooled: paced.pooled.p99,
      paced_2000_ack_p99_9_ms_pooled: paced.pooled.p99_9,
      api_only_paced_disk_flushes_over_25ms: pacedApiOnly.diskStalls,
      paced_disk_flushes_over_25ms: paced.diskStalls,
      paced_2000_ack_p99_ms_median: paced.p99_median,
      paced_2000_ack_p99_ms_worst: paced.p99_worst,
      paced_2000_ack_p99_9_ms_worst: paced.p99_9_worst,
      processing_lag_p50_s: Number(Number(lag[0]!.p50).toFixed(3)),
      processing_lag_p99_s: Number(Number(lag[0]!.p99).toFixed(3)),
      paced_drain_s: (Date.now() - drainStart) / 1000,
      paced_deliveries_processed: Number(lag[0]!.stored),
      tracking_events: Number(lag[0]!.events),
      non_2xx: [apiOnly, max, ...pacedApiOnly.runs, ...paced.runs].reduce((n, x) => n + x.non_2xx, 0),
      errors: [apiOnly, max, ...pacedApiOnly.runs, ...paced.runs].reduce((n, x) => n + x.errors, 0),
    })
    // graphile-worker 0.17 can reject its own shutdown of an idle local queue; the database must still stop.
    await worker.stop().catch((err: unknown) => print({ bench: 'ingest', warning: `worker stop: ${String(err)}` }))
    await app.close()
    await bare.close()
  } finally {
    await owner.destroy()
    await runtime.close()
    rmSync(path.resolve(dataDir), { recursive: true, force: true })
  }
}
