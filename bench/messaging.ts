import { fork } from 'node:child_process'
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { sql, type Transaction } from 'kysely'
import { systemContext } from '../server/src/auth/actor.js'
import { openCase } from '../server/src/cases/service.js'
import { loadConfig } from '../server/src/config.js'
import { makeTraversableTempDir } from '../server/src/db/embedded.js'
import type { Database } from '../server/src/db/schema.js'
import { startWorker } from '../server/src/jobs/worker.js'
import { sendEmailsDrain } from '../server/src/messaging/email/send-email.js'
import { recordMessage } from '../server/src/messaging/service.js'
import { renderTemplate } from '../server/src/messaging/templates/render.js'
import { setupModules } from '../server/src/modules.js'
import { modules } from '../server/src/registry.js'
import { openRuntime } from '../server/src/runtime.js'
import { print } from './fork.js'
import { runInbound } from './messaging-inbound.js'
import { runSms } from './messaging-sms.js'
import { percentileMs } from './percentile.mjs'
import { createBenchMerchant } from './setup.js'

const template = {
  subject: 'An update on your order {{ order.number }}',
  text: 'Hi {{ customer.first_name }},\n\nWe have news about order {{ order.number }}: {{ case.status }}.\n\nThe team',
  html: '<p>Hi {{ customer.first_name }},</p><p>We have news about order <b>{{ order.number }}</b>: {{ case.status }}.</p>',
}

/**
 * Email out: `emails` templated messages recorded on cases (recordMessage, batches of `batch` a transaction) while
 * the send drain (in the job worker) sends them to a local SMTP sink over real sockets; messages/s from the first enqueue to the last
 * acceptance, and each message's enqueue (its transaction's commit) to SMTP-accepted (the sink's 250).
 * The inbound half (emails through the listener) is the email-in helper's: a second phase of this file.
 */
export async function run(opts: Record<string, string | boolean | undefined>) {
  // 4. SMS out (messaging-sms.ts); `--sms-only` runs just that phase.
  if (opts['sms-only']) return runSms(opts)
  const emails = Number(opts.emails ?? 10_000)
  const batch = 50
  const rate = Number(opts.rate ?? 600)
  const sink = await startSinkProcess(emails)
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
    const drain = { batch: sendEmailsDrain.batchSize, loops: sendEmailsDrain.concurrency }
    print({ bench: 'messaging', phase: 'config', emails, rate, concurrency, drain, node: process.version })

    // 1. The composer's side: templated messages recorded on their cases, queued for the send drain.
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

    // 2. The send path at a steady offered rate: the messages, parked (due tomorrow), are made due `rate` a second
    // while the send drain runs; each message's enqueue is its transaction's commit.
    await sql`update messages set next_attempt_at = now() + interval '1 day' where merchant_id = ${merchantId}`.execute(
      ctx.db,
    )
    const runner = await startWorker(modules, ctx)
    const cpu0 = process.cpuUsage()
    const enqueued = new Map<string, number>()
    t0 = Date.now()
    for (let start = 0; start < emails; start += batch) {
      const slice = messages.slice(start, start + batch)
      await sql`update messages set next_attempt_at = null
        where merchant_id = ${merchantId} and id = any(${slice.map((m) => m.id)}::uuid[])`.execute(ctx.db)
      const at = Date.now()
      for (const m of slice) enqueued.set(m.header, at)
      const due = t0 + ((start + batch) / rate) * 1000
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()))
    }
    const deliveries = await sink.deliveries(10 * 60_000)
    const cpu = process.cpuUsage(cpu0)
    await runner.stop()
    const latencies = deliveries.map(([id, at]) => Math.max(0, at - enqueued.get(id)!)).sort((a, b) => a - b)
    const last = Math.max(...deliveries.map(([, at]) => at))
    print({
      bench: 'messaging',
      phase: 'outbound',
      emails,
      offered_per_sec: rate,
      accepted: deliveries.length,
      duplicates: deliveries.length - new Set(deliveries.map(([id]) => id)).size,
      messages_per_sec: Math.round(deliveries.length / ((last - t0) / 1000)),
      p50_ms: percentileMs(latencies, 50),
      p99_ms: percentileMs(latencies, 99),
      max_ms: latencies.at(-1),
      // The worker process's CPU (the drain and its SMTP client; not PostgreSQL's, not the sink's) per message sent.
      worker_cpu_ms_per_message: Number(((cpu.user + cpu.system) / 1000 / Math.max(1, deliveries.length)).toFixed(2)),
    })
  } finally {
    await runtime.close()
    sink.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  // 3. Email in: `--inbound-emails` (5,000) through the SMTP listener, threaded by the inbox drain.
  await runInbound(opts)
  await runSms(opts)
}

/** The mail server (bench/smtp-sink.mjs) in its own process; its deliveries as [Message-ID, accepted at]. */
async function startSinkProcess(expect: number) {
  const child = fork(fileURLToPath(new URL('./smtp-sink.mjs', import.meta.url)), { stdio: 'inherit' })
  const url = new Promise<string>((resolve) => child.once('message', (m: { url: string }) => resolve(m.url)))
  child.send({ expect })
  return {
    url: await url,
    /** Once the sink has them all, or what it has after `timeoutMs`. */
    deliveries: (timeoutMs: number) =>
      new Promise<[string, number][]>((resolve) => {
        const timer = setTimeout(() => child.send('report'), timeoutMs)
        child.once('message', (m: { deliveries: [string, number][] }) => {
          clearTimeout(timer)
          resolve(m.deliveries)
        })
      }),
    close: () => child.kill(),
  }
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
