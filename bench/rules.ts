import { fork } from 'node:child_process'
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import type { PoolClient } from 'pg'
import { systemContext } from '../server/src/auth/actor.js'
import { buildApp } from '../server/src/app.js'
import { loadConfig } from '../server/src/config.js'
import { makeTraversableTempDir } from '../server/src/db/embedded.js'
import { startWorker } from '../server/src/jobs/worker.js'
import { setupModules } from '../server/src/modules.js'
import { upsertOrder } from '../server/src/orders/service.js'
import { modules } from '../server/src/registry.js'
import { createRule } from '../server/src/rules/service/rules.js'
import { openRuntime } from '../server/src/runtime.js'
import { upsertShipment } from '../server/src/shipments/service.js'
import { forkLoad, type LoadReport, print } from './fork.js'
import { ownerDb } from './owner.js'
import { percentileMs } from './percentile.mjs'
import { createBenchFeed, createBenchMerchant } from './setup.js'

const TRACKERS = 5000
const EXCEPTIONS = 20
const RULES = 200
const PREFIX = 'RB'

/** The rule whose cases are timed, and 193 that read the same events without matching them (beside the default pack). */
const timed =
  "IF carrier_event = 'Undeliverable' AND value > 100 GBP THEN create_case(type='Lost Parcel', priority='High') AND set_SLA(24h) AND send_template('Acknowledgement') TO customer VIA email AND notify(agent_group='HighValue')."
const fillers = (n: number) =>
  Array.from({ length: n }, (_, i) => {
    const carriers = ['DPD', 'Evri', 'UPS', 'FedEx', 'Yodel']
    const labels = ['Lost', 'Damaged', 'Delayed - Customs', 'Exception', 'Delivered']
    const shapes = [
      `IF carrier_event = '${labels[i % 5]}' AND carrier = '${carriers[i % 5]}' AND value > ${50 + i} GBP THEN add_tag('f${i}').`,
      `IF carrier IN ('${carriers[i % 5]}', '${carriers[(i + 1) % 5]}') AND carrier_event = 'Lost' AND destination_country = 'FR' THEN set_priority('Urgent') AND add_tag('f${i}').`,
      `IF (carrier_event = 'Damaged' OR carrier_event = 'Lost') AND NOT value < ${20 + i} GBP THEN notify(team='Logistics Ops').`,
      `IF carrier_event = 'Exception' AND service = 'express-${i}' THEN escalate(team='Logistics Ops').`,
    ]
    return { name: `Filler ${i + 1}`, source: shapes[i % shapes.length]! }
  })

/**
 * 200 active rules in a workspace (the default pack, the timed rule, fillers reading carrier events), then signed
 * carrier webhooks at `--rate` (default 1,000/s) for `--duration` seconds through the real webhook path: every event
 * changes its tracker's status, so each is evaluated against every rule that reads carrier events, and every
 * 20th tracker fails delivery once, which the timed rule turns into a case with a customer email queued. Prints the
 * webhooks' acknowledgement latency, rule evaluations/s while the backlog drains, and, per timed case, the time from
 * its webhook's acknowledgement (the delivery stored) to the commit of its case with the email queued (a trigger's
 * NOTIFY, delivered at commit). Floors here: p50 ≤ 50 ms, p99 ≤ 250 ms.
 */
export async function run(opts: Record<string, string | boolean | undefined>) {
  const duration = Number(opts.duration ?? 10)
  const rate = Number(opts.rate ?? 1000)
  const sink = fork(fileURLToPath(new URL('./smtp-sink.mjs', import.meta.url)), { stdio: 'inherit' })
  const smtpUrl = await new Promise<string>((resolve) => {
    sink.once('message', (m: { url: string }) => resolve(m.url))
    sink.send({ expect: 0 })
  })
  const dataDir = makeTraversableTempDir('claimdesk-bench-rules-')
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', SMTP_URL: smtpUrl, WORKER_CONCURRENCY: '8' })
  const runtime = await openRuntime(config, { takeOwnership: true, poolSize: 30 })
  const { ctx } = runtime
  ctx.log.level = 'warn'
  setupModules(modules)
  let listener: PoolClient | undefined
  try {
    const t0 = Date.now()
    const { merchantId, secret, connectionId } = await ctx.db.transaction().execute(async (trx) => {
      const merchant = await createBenchMerchant(trx, 'rules', 'Rules Ltd')
      const feed = await createBenchFeed(trx, ctx.keys.secrets, merchant.id, 'Carrier feed')
      return { merchantId: merchant.id, secret: feed.secret, connectionId: feed.connection.id }
    })
    const sys = systemContext(merchantId)
    for (let start = 0; start < TRACKERS; start += 250)
      await ctx.db.transaction().execute(async (trx) => {
        for (let i = start; i < Math.min(TRACKERS, start + 250); i++) {
          const { order } = await upsertOrder(
            trx,
            sys,
            {
              source: 'bench',
              externalId: `o-${i}`,
              currency: 'GBP',
              placedAt: new Date(Date.now() - 3 * 86_400_000),
              totalMinor: 18_000,
              customer: { externalId: `c-${i}`, email: `customer${i}@example.com`, name: `Customer ${i}` },
              lines: [{ name: 'Walking boots', sku: 'BOOT-42', quantity: 1, unitPriceMinor: 18_000 }],
            },
            new Date(),
          )
          await upsertShipment(
            trx,
            sys,
            {
              source: 'bench',
              externalId: `s-${i}`,
              orderId: order.id,
              carrier: 'Royal Mail',
              trackingNumber: `${PREFIX}${i}`,
              shippedAt: new Date(Date.now() - 2 * 86_400_000),
            },
            new Date(),
          )
        }
      })
    const existing = Number(
      (
        await ctx.db
          .selectFrom('rules')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('merchant_id', '=', merchantId)
          .executeTakeFirstOrThrow()
      ).n,
    )
    let timedId = ''
    await ctx.db.transaction().execute(async (trx) => {
      timedId = (
        await createRule(trx, sys, { name: 'Undeliverable high value', source: timed, mode: 'active' }, new Date())
      ).id
      for (const f of fillers(RULES - existing - 1)) await createRule(trx, sys, { ...f, mode: 'active' }, new Date())
    })
    // Cases with a message queued on them, heard at their transaction's commit.
    const heard = await ctx.pool.connect()
    listener = heard
    // The application role may not create triggers; the owner does.
    const owner = ownerDb(runtime)
    await sql`create or replace function bench_message_queued() returns trigger language plpgsql as $$
      begin perform pg_notify('bench_rules', new.case_id::text); return new; end $$`.execute(owner)
    await sql`create trigger bench_message_queued after insert on messages for each row
      execute function bench_message_queued()`.execute(owner)
    await owner.destroy()
    const committed = new Map<string, number>()
    heard.on('notification', (n) => {
      if (n.payload && !committed.has(n.payload)) committed.set(n.payload, Date.now())
    })
    await heard.query('listen bench_rules')
    print({ bench: 'rules', phase: 'setup', trackers: TRACKERS, rules: RULES, seconds: (Date.now() - t0) / 1000 })

    const app = await buildApp(ctx, modules)
    await app.listen({ port: 0, host: '127.0.0.1' })
    const worker = await startWorker(modules, ctx)
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/webhooks/carriers/generic/${connectionId}`
    const started = Date.now()
    const { latencies_ms: _l, ...load } = await forkLoad<LoadReport & { latencies_ms?: number[] }>(
      './load-ingest.mjs',
      {
        url,
        secret,
        duration,
        connections: 50,
        rate,
        prefix: PREFIX,
        count: 0,
        trackers: TRACKERS,
        exceptions: EXCEPTIONS,
      },
    )
    print({ bench: 'rules', phase: 'webhooks', rate, ...load })
    // Until the engine has evaluated every status change (at most 10 minutes).
    const changes = async () =>
      Number(
        (
          await sql<{ n: string }>`select count(*) as n from outbox where merchant_id = ${merchantId}
            and type = 'shipment.status_changed'`.execute(ctx.db)
        ).rows[0]!.n,
      )
    const handled = async () =>
      Number(
        (
          await sql<{ n: string }>`select count(*) as n from rule_events_handled h join outbox o
            on o.merchant_id = h.merchant_id and o.id = h.event_id
            where h.merchant_id = ${merchantId} and o.type = 'shipment.status_changed'`.execute(ctx.db)
        ).rows[0]!.n,
      )
    const received = async () =>
      Number(
        (
          await sql<{ n: string }>`select count(*) as n from webhook_deliveries where merchant_id = ${merchantId}
            and status = 'received'`.execute(ctx.db)
        ).rows[0]!.n,
      )
    const deadline = Date.now() + 600_000
    let total = 0
    for (;;) {
      const [c, h, r] = await Promise.all([changes(), handled(), received()])
      total = c
      if ((c > 0 && h >= c && r === 0) || Date.now() > deadline) break
      await new Promise((r) => setTimeout(r, 200))
    }
    const elapsed = (Date.now() - started) / 1000
    const carrierRules = Number(
      (
        await sql<{ n: string }>`select count(*) as n from rules where merchant_id = ${merchantId}
          and deleted_at is null and mode = 'active' and 'carrier_status' = any(triggers)`.execute(ctx.db)
      ).rows[0]!.n,
    )
    await worker.stop()
    await app.close()
    // Each timed case: its webhook's delivery stored (the acknowledgement follows its commit) → its commit.
    const { rows } = await sql<{ case_id: string; received_at: Date }>`
      select c.id as case_id, d.received_at from cases c
      join shipments s on s.merchant_id = c.merchant_id and s.id = c.shipment_id
      join webhook_deliveries d on d.merchant_id = c.merchant_id and d.connection_id = ${connectionId}
        and d.dedup_key = 'msg_' || ${PREFIX} || '_' ||
          ((substring(s.tracking_number from 3)::int % ${EXCEPTIONS}) * ${TRACKERS} + substring(s.tracking_number from 3)::int)
      where c.merchant_id = ${merchantId} and c.source = 'rule'`.execute(ctx.db)
    // Where the time goes, per timed case: stored → processed by the inbox → its status change relayed → the rule's
    // execution written (its transaction's start, near enough) → committed.
    const stages = await sql<{ inbox_ms: number; relay_ms: number; engine_ms: number }>`
      select percentile_cont(0.5) within group (order by extract(epoch from d.processed_at - d.received_at) * 1000) as inbox_ms,
        percentile_cont(0.5) within group (order by extract(epoch from o.published_at - d.processed_at) * 1000) as relay_ms,
        percentile_cont(0.5) within group (order by extract(epoch from e.created_at - o.published_at) * 1000) as engine_ms
      from rule_executions e
      join outbox o on o.merchant_id = e.merchant_id and o.id = e.event_id
      join webhook_deliveries d on d.merchant_id = e.merchant_id and d.connection_id = ${connectionId}
        and d.dedup_key = 'msg_' || ${PREFIX} || '_' ||
          ((substring(o.data->>'tracking_number' from 3)::int % ${EXCEPTIONS}) * ${TRACKERS} + substring(o.data->>'tracking_number' from 3)::int)
      where e.merchant_id = ${merchantId} and e.rule_id = ${timedId} and e.outcome = 'fired'`.execute(ctx.db)
    print({ bench: 'rules', phase: 'stages_p50', ...stages.rows[0] })
    const lat = rows
      .filter((r) => committed.has(r.case_id))
      .map((r) => committed.get(r.case_id)! - r.received_at.getTime())
      .sort((a, b) => a - b)
    print({
      bench: 'rules',
      phase: 'summary',
      rules: RULES,
      carrier_rules: carrierRules,
      status_changes: total,
      rule_evaluations: total * carrierRules,
      rule_evaluations_per_sec: Math.round((total * carrierRules) / elapsed),
      drain_seconds: elapsed,
      timed_cases: rows.length,
      timed_cases_with_email: lat.length,
      ack_to_case_p50_ms: percentileMs(lat, 50),
      ack_to_case_p99_ms: percentileMs(lat, 99),
      ack_to_case_max_ms: lat.at(-1) ?? null,
      floors: { p50_ms: 50, p99_ms: 250 },
      webhook_ack_p99_ms: load.p99_ms,
    })
  } finally {
    listener?.release()
    await runtime.close()
    sink.kill()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
