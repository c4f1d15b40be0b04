import { rmSync } from 'node:fs'
import { sql, type Transaction } from 'kysely'
import { systemContext } from '../server/src/auth/actor.js'
import { openCase } from '../server/src/cases/service.js'
import { loadConfig } from '../server/src/config.js'
import { makeTraversableTempDir } from '../server/src/db/embedded.js'
import type { Database } from '../server/src/db/schema.js'
import { startWorker } from '../server/src/jobs/worker.js'
import { startSmtpSink } from '../server/src/messaging/email/testing/smtp-sink.js'
import { queueSend, recordMessage } from '../server/src/messaging/service.js'
import { renderTemplate } from '../server/src/messaging/templates/render.js'
import { setupModules } from '../server/src/modules.js'
import { modules } from '../server/src/registry.js'
import { openRuntime } from '../server/src/runtime.js'
import { print } from './fork.js'
import { runInbound } from './messaging-inbound.js'
import { percentileMs } from './percentile.mjs'
import { createBenchMerchant } from './setup.js'

const template = {
  subject: 'An update on your order {{ order.number }}',
  text: 'Hi {{ customer.first_name }},\n\nWe have news about order {{ order.number }}: {{ case.status }}.\n\nThe team',
  html: '<p>Hi {{ customer.first_name }},</p><p>We have news about order <b>{{ order.number }}</b>: {{ case.status }}.</p>',
}

/**
 * Email out: `emails` templated messages recorded on cases (recordMessage, batches of `batch` a transaction) while
 * the job workers send them to a local SMTP sink over real sockets; messages/s from the first enqueue to the last
 * acceptance, and each message's enqueue (its transaction's commit) to SMTP-accepted (the sink's 250).
 * The inbound half (emails through the listener) is the email-in helper's: a second phase of this file.
 */
export async function run(opts: Record<string, string | boolean | undefined>) {
  const emails = Number(opts.emails ?? 10_000)
  const batch = 50
  const rate = Number(opts.rate ?? 600)
  const sink = await startSmtpSink()
  const dataDir = makeTraversableTempDir('claimdesk-bench-messaging-')
  const concurrency = Number(opts.concurrency ?? 16)
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    SMTP_URL: sink.url,
    INBOUND_EMAIL_DOMAIN: 'reply.bench.example',
    WORKER_CONCURRENCY: String(concurrency),
  })
  const runtime = await openRuntime(config, { takeOwnership: true, poolSize: concurrency * 2 + 8 })
  const { ctx } = runtime
  ctx.log.level = 'warn'
  setupModules(modules) // the timeline types recordMessage writes
  try {
    const { merchantId, caseIds } = await ctx.db.transaction().execute(async (trx) => {
      const merchant = await createBenchMerchant(trx, 'mail', 'Mail Ltd')
      const ids: string[] = []
      for (let i = 0; i < 100; i++)
        ids.push((await openCase(trx, systemContext(merchant.id), { caseType: 'other' }, new Date())).id)
      return { merchantId: merchant.id, caseIds: ids }
    })
    print({ bench: 'messaging', phase: 'config', emails, rate, concurrency, node: process.version })

    // 1. The composer's side: templated messages recorded on their cases, each queuing its send job.
    let t0 = Date.now()
    const messages: { id: string; header: string }[] = []
    for (let start = 0; start < emails; start += batch)
      await ctx.db.transaction().execute(async (trx) => {
        for (let i = start; i < Math.min(emails, start + batch); i++)
          messages.push(await recordTemplated(trx, merchantId, caseIds, i, config.email.inboundDomain))
      })
    print({
      bench: 'messaging',
      phase: 'record',
      emails,
      record_per_sec: Math.round(emails / ((Date.now() - t0) / 1000)),
    })

    // 2. The send path at a steady offered rate: the jobs, parked, are queued again (same job key) `rate` a second
    // while the workers run; each message's enqueue is its transaction's commit.
    await sql`select graphile_worker.reschedule_jobs(array(select id from graphile_worker._private_jobs), run_at := now() + interval '1 day')`.execute(
      ctx.db,
    )
    const runner = await startWorker(modules, ctx)
    const enqueued = new Map<string, number>()
    t0 = Date.now()
    for (let start = 0; start < emails; start += batch) {
      const slice = messages.slice(start, start + batch)
      await ctx.db.transaction().execute(async (trx) => {
        for (const m of slice) await queueSend(trx, merchantId, m.id)
      })
      const at = Date.now()
      for (const m of slice) enqueued.set(m.header, at)
      const due = t0 + ((start + batch) / rate) * 1000
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()))
    }
    const deadline = Date.now() + 10 * 60_000
    while (sink.deliveries.length < emails && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    await runner.stop()
    const latencies = sink.deliveries.map((d) => Math.max(0, d.at - enqueued.get(d.messageId)!)).sort((a, b) => a - b)
    const last = Math.max(...sink.deliveries.map((d) => d.at))
    print({
      bench: 'messaging',
      phase: 'outbound',
      emails,
      offered_per_sec: rate,
      accepted: sink.deliveries.length,
      duplicates: sink.deliveries.length - new Set(sink.deliveries.map((d) => d.messageId)).size,
      messages_per_sec: Math.round(sink.deliveries.length / ((last - t0) / 1000)),
      p50_ms: percentileMs(latencies, 50),
      p99_ms: percentileMs(latencies, 99),
      max_ms: latencies.at(-1),
    })
  } finally {
    await runtime.close()
    await sink.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  // 3. Email in: `--inbound-emails` (5,000) through the SMTP listener, threaded by the inbox drain.
  await runInbound(opts)
}

async function recordTemplated(
  trx: Transaction<Database>,
  merchantId: string,
  caseIds: string[],
  i: number,
  domain: string,
) {
  const r = renderTemplate(template, {
    customer: { first_name: `Alex${i}` },
    order: { number: `#${10_000 + i}` },
    case: { status: 'We are working on it' },
  })
  const m = await recordMessage(
    trx,
    systemContext(merchantId),
    {
      caseId: caseIds[i % caseIds.length]!,
      direction: 'out',
      channel: 'email',
      visibility: 'public',
      status: 'queued',
      authorType: 'system',
      automatic: true,
      from: { address: 'care@mail.example', name: 'Mail Ltd' },
      to: [{ address: `customer${i}@customers.example` }],
      cc: [],
      subject: r.subject,
      text: r.text,
      html: r.html,
      messageIdDomain: domain,
    },
    new Date(),
  )
  return { id: m.id, header: m.message_id_header! }
}
