import { spawn, type ChildProcess } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { rmSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'
import { sql } from 'kysely'
import { loadConfig } from '../server/src/config.js'
import { makeTraversableTempDir } from '../server/src/db/embedded.js'
import { setupModules } from '../server/src/modules.js'
import { modules } from '../server/src/registry.js'
import { openRuntime } from '../server/src/runtime.js'
import { print } from './fork.js'
import { createBenchFeed, createBenchMerchant } from './setup.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const bin = path.resolve('bin/claimdesk.js')

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

/**
 * Never lose, never double: 20,000 signed carrier events sent by senders that retry until they get a
 * 2xx (same webhook-id, fresh timestamp and signature), while the server is killed with SIGKILL at
 * random moments and restarted each time. Then every acknowledged event must be recorded exactly once.
 */
export async function run(opts: Record<string, string | boolean | undefined>) {
  const total = Number(opts.events ?? 20_000)
  const minKills = Number(opts.kills ?? 10)
  const senders = 32
  const dataDir = makeTraversableTempDir('claimdesk-crash-')
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' })
  setupModules(modules) // the carrier providers, for the connection made below
  let setup = await openRuntime(config, { takeOwnership: true })
  const { merchantId, connectionId, secret } = await setup.ctx.db.transaction().execute(async (trx) => {
    const merchant = await createBenchMerchant(trx, 'crash', 'Crash Ltd')
    const feed = await createBenchFeed(trx, setup.ctx.keys.secrets, merchant.id, 'Crash feed')
    return { merchantId: merchant.id, connectionId: feed.connection.id, secret: feed.secret }
  })
  await setup.close()
  const port = await freePort()
  const url = `http://127.0.0.1:${port}/webhooks/carriers/generic/${connectionId}`
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64')

  let server: ChildProcess | undefined
  let starts = 0
  const start = () => {
    starts++
    server = spawn(process.execPath, [bin, 'start'], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'error' },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
  }
  start()

  let next = 0
  let acknowledged = 0
  let attempts = 0
  let done = false
  const body = (i: number) =>
    JSON.stringify({
      type: 'tracking.updated',
      data: {
        carrier: 'dpd',
        tracking_number: `CRASH${i % 2000}`,
        events: [
          {
            id: `crash-${i}`,
            status: 'in_transit',
            occurred_at: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
            message: `Scan ${i}`,
          },
        ],
      },
    })
  const send = async (i: number) => {
    const payload = body(i)
    const id = `msg_crash_${i}`
    for (;;) {
      attempts++
      const ts = Math.floor(Date.now() / 1000)
      const signature = createHmac('sha256', key).update(`${id}.${ts}.${payload}`).digest('base64')
      try {
        const res = await fetch(url, {
          method: 'POST',
          body: payload,
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(ts),
            'webhook-signature': `v1,${signature}`,
          },
          signal: AbortSignal.timeout(5000),
        })
        await res.arrayBuffer()
        if (res.status >= 200 && res.status < 300) return
        if (res.status < 500 && res.status !== 429 && res.status !== 404)
          throw new Error(`event ${i} refused with ${res.status}`)
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('event ')) throw err
      }
      await sleep(100 + Math.random() * 200)
    }
  }
  const sender = async () => {
    while (next < total) {
      const i = next++
      await send(i)
      acknowledged++
    }
  }

  const ready = async () => {
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) })).ok) return
      } catch {
        /* not up yet */
      }
      await sleep(100)
    }
  }
  // The killer: once the server is up, SIGKILL at a random moment 1 to 4 s later, and restart at once;
  // the senders keep retrying meanwhile. It goes on until the sending is done and enough kills happened.
  let kills = 0
  const killer = (async () => {
    while (!done || kills < minKills) {
      await ready()
      await sleep(1000 + Math.random() * 3000)
      server?.kill('SIGKILL')
      kills++
      await new Promise((r) => server!.once('exit', r))
      start()
    }
    await ready()
  })()
  const started = Date.now()
  await Promise.all(Array.from({ length: senders }, sender))
  done = true
  await killer
  print({
    bench: 'ingest-crash',
    phase: 'sent',
    events: total,
    acknowledged,
    attempts,
    kills,
    server_starts: starts,
    seconds: (Date.now() - started) / 1000,
  })

  // Let the last server process everything, then count.
  setup = await openRuntime(config, { takeOwnership: false })
  const db = setup.ctx.db
  for (const t = Date.now(); Date.now() - t < 600_000; ) {
    const { rows } = await sql<{
      n: string
    }>`select count(*) as n from webhook_deliveries where status in ('received', 'failed')`.execute(db)
    if (Number(rows[0]!.n) === 0) break
    await sleep(500)
  }
  const {
    rows: [counts],
  } = await sql<{ deliveries: string; events: string; distinct_events: string; dead: string }>`select
      (select count(*) from webhook_deliveries where merchant_id = ${merchantId}) as deliveries,
      (select count(*) from tracking_events where merchant_id = ${merchantId}) as events,
      (select count(distinct event_key) from tracking_events where merchant_id = ${merchantId}) as distinct_events,
      (select count(*) from webhook_deliveries where merchant_id = ${merchantId} and status = 'dead') as dead`.execute(
    db,
  )
  const {
    rows: [recorded],
  } = await sql<{ announced: string; doubled: string }>`select count(*) as announced,
      count(*) - count(distinct data->>'event_id') as doubled from outbox where merchant_id = ${merchantId} and type = 'tracking_event.recorded'`.execute(
    db,
  )
  const { rows: missing } = await sql<{ n: string }>`select count(*) as n from generate_series(0, ${total - 1}) i
    where not exists (select 1 from tracking_events e where e.merchant_id = ${merchantId} and e.event_key = 'id:crash-' || i)`.execute(
    db,
  )
  await setup.close()
  server?.kill('SIGTERM')
  await new Promise((r) => server!.once('exit', r))
  const events = Number(counts!.events)
  print({
    bench: 'ingest-crash',
    summary: true,
    acknowledged,
    lost: Number(missing[0]!.n),
    duplicated_events:
      events - Number(counts!.distinct_events) + Number(recorded!.doubled) + Math.max(0, events - total),
    deliveries_stored: Number(counts!.deliveries),
    tracking_events: events,
    events_announced: Number(recorded!.announced),
    dead_letters: Number(counts!.dead),
    kills,
    sender_attempts: attempts,
  })
  rmSync(dataDir, { recursive: true, force: true })
}
