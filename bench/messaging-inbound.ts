import { rmSync } from 'node:fs'
import nodemailer from 'nodemailer'
import { systemContext } from '../server/src/auth/actor.js'
import { openCase } from '../server/src/cases/service.js'
import { replyAddress } from '../server/src/messaging/email/reply-address.js'
import { startInboundSmtp } from '../server/src/messaging/inbound/smtp.js'
import { recordSentEmail } from '../server/src/messaging/inbound/testing.js'
import { setupModules } from '../server/src/modules.js'
import { modules } from '../server/src/registry.js'
import { print } from './fork.js'
import { percentile } from './percentile.mjs'
import { createBenchMerchant, openBenchRuntime } from './setup.js'

/** `npm run bench -- messaging-inbound --emails n`: the inbound phase alone. */
export async function run(opts: Record<string, string | boolean | undefined>) {
  await runInbound({ ...opts, 'inbound-emails': opts['inbound-emails'] ?? opts.emails })
}

/**
 * The inbound phase of `npm run bench -- messaging`: `--inbound-emails` (5,000) replies sent by nodemailer over 8
 * pooled connections to the SMTP listener, each to one of 100 cases' reply addresses; then the inbox drain threads
 * them. Reports the SMTP accept latency (client send to 250, which includes the inbox commit) and threaded emails a
 * second. Floor: 200 threaded a second.
 */
export async function runInbound(opts: Record<string, string | boolean | undefined>) {
  const total = Number(opts['inbound-emails'] ?? 5000)
  const caseCount = 100
  const { dataDir, runtime } = await openBenchRuntime('claimdesk-bench-inbound-')
  const { ctx } = runtime
  setupModules(modules)
  const domain = ctx.config.email.inboundDomain
  const smtp = await startInboundSmtp(ctx, { port: 0, host: '127.0.0.1' })
  const mailer = nodemailer.createTransport({
    host: '127.0.0.1',
    port: smtp.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 8,
    maxMessages: Number.POSITIVE_INFINITY,
  })
  try {
    const now = new Date()
    const { merchantId, cases } = await ctx.db.transaction().execute(async (trx) => {
      const merchant = await createBenchMerchant(trx, 'inbound-bench', 'Inbound bench')
      const sys = systemContext(merchant.id)
      const ids: string[] = []
      for (let i = 0; i < caseCount; i++) {
        const c = await openCase(trx, sys, { caseType: 'other', subject: `Bench case ${i}`, channel: 'email' }, now)
        await recordSentEmail(trx, sys, c.id, {
          messageIdHeader: `bench-out-${i}@claimdesk.bench`,
          to: `customer${i}@example.com`,
          from: `support@${domain}`,
          subject: `Bench case ${i}`,
        })
        ids.push(c.id)
      }
      return { merchantId: merchant.id, cases: ids }
    })
    print({ bench: 'messaging-inbound', phase: 'config', emails: total, cases: caseCount, connections: 8 })

    const accept: number[] = []
    let sent = 0
    const t0 = Date.now()
    const inFlight = new Set<Promise<void>>()
    for (let i = 0; i < total; i++) {
      const k = i % caseCount
      const started = performance.now()
      const p = mailer
        .sendMail({
          from: `customer${k}@example.com`,
          to: replyAddress(ctx.keys.links, merchantId, cases[k]!, domain),
          subject: `Re: Bench case ${k}`,
          text: `Reply ${i}\n\nOn Mon, Support wrote:\n> We are looking into it.`,
          messageId: `<bench-in-${i}@example.com>`,
        })
        .then(() => {
          accept.push(performance.now() - started)
          sent++
        })
        .finally(() => inFlight.delete(p))
      inFlight.add(p)
      if (inFlight.size >= 8) await Promise.race(inFlight)
    }
    await Promise.all(inFlight)
    const acceptMs = Date.now() - t0

    const drains = modules.flatMap((m) => m.drains ?? [])
    const t1 = Date.now()
    // As the workers run them: each drain with its concurrency, until it finds nothing.
    await Promise.all(
      drains.flatMap((d) =>
        Array.from({ length: d.concurrency ?? 1 }, async () => {
          while ((await d.run(ctx, d.batchSize)) > 0);
        }),
      ),
    )
    const threadMs = Date.now() - t1
    const threaded = await ctx.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('merchant_id', '=', merchantId)
      .where('direction', '=', 'in')
      .executeTakeFirstOrThrow()
    accept.sort((a, b) => a - b)
    const perSec = Math.round(Number(threaded.n) / (threadMs / 1000))
    print({
      bench: 'messaging-inbound',
      summary: true,
      emails_sent: sent,
      smtp_accepted_per_sec: Math.round(sent / (acceptMs / 1000)),
      smtp_accept_p50_ms: Number(percentile(accept, 50).toFixed(1)),
      smtp_accept_p99_ms: Number(percentile(accept, 99).toFixed(1)),
      threaded: Number(threaded.n),
      threaded_per_sec: perSec,
      floor_threaded_per_sec: 200,
      pass: perSec >= 200 && Number(threaded.n) === total,
    })
  } finally {
    mailer.close()
    await smtp.close()
    await runtime.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
