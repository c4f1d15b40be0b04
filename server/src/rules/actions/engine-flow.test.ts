import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { runDueJobs } from '../../../test/jobs.js'
import { startTestApp } from '../../../test/harness.js'
import { newId } from '../../ids.js'
import { seedConnection, signedHeaders } from '../../intake/testing.js'
import { findAction } from '../../jobs/clock.js'
import { fireDueActions } from '../../jobs/clock-runner.js'
import { clockHandlers } from '../../jobs/worker.js'
import { modules } from '../../registry.js'
import { compileRule } from '../service/compile.js'
import { shippedOrder } from './testing.js'

// The actions through the engine's consumer and a real signed carrier webhook, beside the exception policy: one
// case for one signal, whichever acts first, and nothing repeated when the carrier sends the webhook again.

const { env, app, m } = await startTestApp()
const db = env.ctx.db
const feed = await seedConnection(env.ctx, m.id, { source: 'carriers' })
const source =
  "IF carrier_event = 'Delayed - Customs' THEN create_case(type='Customs Hold', priority='High') AND set_SLA(48h) " +
  "AND send_template('Customs hold') TO customer VIA sms, email."
const customsHold = await compileRule(db, m.id, source)

const ruleId = newId()
await db.transaction().execute(async (trx) => {
  const now = new Date()
  await trx
    .insertInto('rules')
    .values({
      merchant_id: m.id,
      id: ruleId,
      name: 'Customs hold',
      priority: 10,
      mode: 'active',
      stop_processing: false,
      version: 1,
      source,
      compiled: JSON.stringify(customsHold),
      triggers: customsHold.triggers,
      pack: null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    })
    .execute()
  await trx
    .insertInto('rule_settings')
    .values({ merchant_id: m.id, seeded_at: now })
    .onConflict((oc) => oc.column('merchant_id').doUpdateSet({ revision: sql`rule_settings.revision + 1` }))
    .execute()
})

async function scan(trackingNumber: string, events: { id: string; status: string; occurred_at: string }[]) {
  const body = JSON.stringify({
    type: 'tracking.updated',
    data: { carrier: 'royal_mail', tracking_number: trackingNumber, events },
  })
  const res = await app.inject({
    method: 'POST',
    url: `/webhooks/carriers/generic/${feed.id}`,
    payload: body,
    headers: { 'content-type': 'application/json', ...signedHeaders(feed.secret, body) },
  })
  expect(res.statusCode).toBe(200)
  await runDueJobs(env.ctx, modules)
}

const casesOf = (shipmentId: string) =>
  db
    .selectFrom('cases')
    .select(['id', 'type_key', 'source', 'priority'])
    .where('shipment_id', '=', shipmentId)
    .execute()

describe('the actions through the engine', () => {
  it('opens the customs hold at once, sets its SLA and emails the customer; a redelivery and the policy watch add nothing', async () => {
    const s = await shippedOrder(env.ctx, m.id)
    // An hour ago: the policy's 24-hour watch is still ahead.
    const heldAt = new Date(Date.now() - 3_600_000)
    const hold = { id: 'ev-customs-1', status: 'customs_hold', occurred_at: heldAt.toISOString() }
    await scan(s.trackingNumber, [hold])
    const [opened, ...others] = await casesOf(s.shipmentId)
    expect(others).toEqual([])
    expect(opened).toMatchObject({ type_key: 'customs_hold', source: 'rule', priority: 'high' })
    const clocks = await db.selectFrom('sla_clocks').selectAll().where('case_id', '=', opened!.id).execute()
    expect(clocks.find((c) => c.target === 'resolution')).toMatchObject({ minutes: 48 * 60 })
    const messages = () =>
      db.selectFrom('messages').select(['id', 'channel']).where('case_id', '=', opened!.id).execute()
    // The customer has an email address and no phone: the SMS is skipped, the email goes.
    expect(await messages()).toEqual([expect.objectContaining({ channel: 'email' })])
    const [run] = await db.selectFrom('rule_executions').selectAll().where('rule_id', '=', ruleId).execute()
    expect(run!.actions).toEqual([
      expect.objectContaining({ action: 'create_case', status: 'done', case_id: opened!.id }),
      expect.objectContaining({ action: 'set_sla', status: 'done' }),
      expect.objectContaining({ action: 'send_template', status: 'done' }),
    ])

    // The carrier sends the same webhook again: nothing repeats.
    await scan(s.trackingNumber, [hold])
    expect(await casesOf(s.shipmentId)).toEqual([opened])
    expect(await messages()).toHaveLength(1)

    // The exception policy's own watch for the hold ends: it finds the rule's case and its entry.
    const watch = `case-watch:${s.shipmentId}:customs_hold`
    expect(await findAction(db, m.id, watch)).toMatchObject({ state: 'scheduled' })
    await fireDueActions(env.ctx, clockHandlers(modules), () => new Date(heldAt.getTime() + 25 * 3_600_000))
    expect((await findAction(db, m.id, watch))?.state).not.toBe('scheduled')
    expect(await casesOf(s.shipmentId)).toEqual([opened])
    const entries = await db
      .selectFrom('case_timeline')
      .select(['type'])
      .where('case_id', '=', opened!.id)
      .where('type', '=', 'carrier_event')
      .execute()
    expect(entries).toHaveLength(1)
  })
})
