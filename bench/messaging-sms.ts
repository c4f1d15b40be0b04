import { fork } from 'node:child_process'
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { systemContext } from '../server/src/auth/actor.js'
import { openCase } from '../server/src/cases/service.js'
import { loadConfig } from '../server/src/config.js'
import { upsertCustomer } from '../server/src/customers/service.js'
import { makeTraversableTempDir } from '../server/src/db/embedded.js'
import { createConnection } from '../server/src/integrations/service.js'
import { startWorker } from '../server/src/jobs/worker.js'
import { recordPhoneMessage } from '../server/src/messaging/phone/send-phone-message.js'
import { sendPhoneDrain } from '../server/src/messaging/phone/send-phone.js'
import { updatePhoneSettings } from '../server/src/messaging/phone/settings.js'
import { fakeConnection } from '../server/src/messaging/twilio/testing/fake-twilio.js'
import { setupModules } from '../server/src/modules.js'
import { modules } from '../server/src/registry.js'
import { openRuntime } from '../server/src/runtime.js'
import { print } from './fork.js'
import { percentileMs } from './percentile.mjs'
import { createBenchMerchant } from './setup.js'

/**
 * SMS out: `sms` messages (5,000) recorded on cases for customers spread over `senders` sender numbers (10) at
 * `per_second` (100) each, released as one burst through the queue while the phone send drain (in the job
 * worker) sends them to the fake Twilio in a process of its own. Prints sent/s from the release to the last
 * acceptance, the most requests any sender's number got in any 1-second window (sliding, at the fake's arrival
 * times; must not pass its limit), enqueue (the release's commit) → accepted (the fake's 201) percentiles, and
 * duplicates (the same message twice: must be 0).
 */
export async function runSms(opts: Record<string, string | boolean | undefined>) {
  const total = Number(opts.sms ?? 5000)
  const senderCount = 10
  const perSecond = 100
  const fake = await startFakeProcess(total)
  const dataDir = makeTraversableTempDir('claimdesk-bench-sms-')
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', PUBLIC_URL: 'https://desk.bench.example' })
  const runtime = await openRuntime(config, { takeOwnership: true, poolSize: 24 })
  const { ctx } = runtime
  ctx.log.level = 'warn'
  setupModules(modules)
  try {
    const senders = Array.from({ length: senderCount }, (_, i) => `+1415555${String(1000 + i)}`)
    const { merchantId, caseIds } = await ctx.db.transaction().execute(async (trx) => {
      const merchant = await createBenchMerchant(trx, 'sms', 'Texts Ltd')
      const sys = systemContext(merchant.id)
      const now = new Date()
      await createConnection(
        trx,
        sys,
        ctx.keys.secrets,
        fakeConnection(
          fake,
          senders.map((address) => ({ address, channels: ['sms'], per_second: perSecond })),
        ),
        now,
      )
      await updatePhoneSettings(trx, sys, { quiet_hours: { enabled: false } }, now)
      const ids: string[] = []
      for (let i = 0; i < 200; i++) {
        const { customer } = await upsertCustomer(
          trx,
          sys,
          { source: 'api', phone: `+4477009${String(10_000 + i).slice(-5)}`, consent: { sms: true } },
          now,
        )
        ids.push((await openCase(trx, sys, { caseType: 'other', customerId: customer.id }, now)).id)
      }
      return { merchantId: merchant.id, caseIds: ids }
    })
    const drain = { batch: sendPhoneDrain.batchSize, loops: sendPhoneDrain.concurrency }
    print({ bench: 'messaging', phase: 'sms-config', sms: total, senders: senderCount, per_second: perSecond, drain })

    // Recorded, parked a day ahead, then released at once: the burst the rate limit must queue, not fail.
    const bodies = new Map<string, string>()
    for (let start = 0; start < total; start += 100)
      await ctx.db.transaction().execute(async (trx) => {
        for (let i = start; i < Math.min(total, start + 100); i++) {
          const text = `Your parcel is held at customs (SMS ${i}). Details: https://desk.bench.example/p/${i}`
          const msg = await recordPhoneMessage(
            trx,
            systemContext(merchantId),
            caseIds[i % caseIds.length]!,
            { channel: 'sms', text, urgent: true },
            { automatic: false, app: ctx },
            new Date(),
          )
          bodies.set(text, msg.id)
        }
      })
    await sql`update messages set deliver_after = now() + interval '1 day' where merchant_id = ${merchantId}
      and channel = 'sms'`.execute(ctx.db)
    const runner = await startWorker(modules, ctx)
    const released = Date.now()
    await sql`update messages set deliver_after = now() where merchant_id = ${merchantId} and channel = 'sms'`.execute(
      ctx.db,
    )
    const enqueuedAt = Date.now()
    const requests = await fake.requests(10 * 60_000)
    await runner.stop()
    const accepted = requests.filter((r) => r[3] === 201)
    const latencies = accepted.map((r) => Math.max(0, r[0] - enqueuedAt)).sort((a, b) => a - b)
    const last = Math.max(...accepted.map((r) => r[0]))
    const bySender = new Map<string, number[]>()
    for (const [at, from] of accepted) bySender.set(from, [...(bySender.get(from) ?? []), at])
    let worst = 0
    for (const times of bySender.values()) {
      times.sort((a, b) => a - b)
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[j]! < times[i]! - 999.999) j++
        worst = Math.max(worst, i - j + 1)
      }
    }
    const perSenderCounts = [...bySender.values()].map((t) => t.length).sort((a, b) => a - b)
    print({
      bench: 'messaging',
      phase: 'sms',
      sms: total,
      accepted: accepted.length,
      refused: requests.length - accepted.length,
      duplicates: accepted.length - new Set(accepted.map((r) => r[2])).size,
      unknown_bodies: accepted.filter((r) => !bodies.has(r[2])).length,
      sent_per_sec: Math.round(accepted.length / ((last - released) / 1000)),
      capacity_per_sec: senderCount * perSecond,
      max_per_sender_any_second: worst,
      limit_per_sender: perSecond,
      per_sender_messages: { min: perSenderCounts[0], max: perSenderCounts.at(-1) },
      p50_ms: percentileMs(latencies, 50),
      p99_ms: percentileMs(latencies, 99),
      max_ms: latencies.at(-1),
    })
  } finally {
    await runtime.close()
    fake.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** The fake Twilio (bench/twilio-fake.mjs) in its own process; its requests as [arrival, From, Body, status]. */
async function startFakeProcess(expect: number) {
  const child = fork(fileURLToPath(new URL('./twilio-fake.mjs', import.meta.url)), { stdio: 'inherit' })
  const started = new Promise<{ url: string; accountSid: string; authToken: string }>((resolve) =>
    child.once('message', (m) => resolve(m as { url: string; accountSid: string; authToken: string })),
  )
  child.send({ expect })
  return {
    ...(await started),
    requests: (timeoutMs: number) =>
      new Promise<[number, string, string, number][]>((resolve) => {
        const timer = setTimeout(() => child.send('report'), timeoutMs)
        child.once('message', (m: { requests: [number, string, string, number][] }) => {
          clearTimeout(timer)
          resolve(m.requests)
        })
      }),
    close: () => child.send('close'),
  }
}
