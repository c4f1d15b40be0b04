import { describe, expect, it } from 'vitest'
import { runDueJobs } from '../../../test/jobs.js'
import { startTestApp } from '../../../test/harness.js'
import { systemContext } from '../../auth/actor.js'
import { openCase } from '../../cases/service.js'
import { newId } from '../../ids.js'
import { seedConnection, signedHeaders } from '../../intake/testing.js'
import { findAction } from '../../jobs/clock.js'
import { fireDueActions } from '../../jobs/clock-runner.js'
import { clockHandlers } from '../../jobs/worker.js'
import { modules } from '../../registry.js'
import { createRule } from '../service/rules.js'
import { listTeams, updateTeam } from '../../teams/service.js'
import { createUser } from '../../users/service.js'
import { shippedOrder } from './testing.js'

// The actions through the engine's consumer and a real signed carrier webhook, beside the exception policy: one
// case for one signal, whichever acts first, and nothing repeated when the carrier sends the webhook again.

const { env, app, m } = await startTestApp()
const db = env.ctx.db
const feed = await seedConnection(env.ctx, m.id, { source: 'carriers' })
const customsHold =
  "IF carrier_event = 'Delayed - Customs' THEN create_case(type='Customs Hold', priority='High') AND set_SLA(48h) " +
  "AND send_template('Customs hold') TO customer VIA sms, email."
const undeliverable =
  "IF carrier_event = 'Undeliverable' AND value > 100 GBP THEN create_case(type='Lost Parcel', priority='High') " +
  "AND set_SLA(24h) AND notify(agent_group='HighValue')."
const damaged =
  "IF case_type='Damaged' THEN send_template('Damage Ack') TO customer AND request_attachment('photo') WITH 48h deadline."

/** A rule saved through the API's service, switched on. */
const putRule = async (name: string, source: string): Promise<string> =>
  (
    await db
      .transaction()
      .execute((trx) => createRule(trx, systemContext(m.id), { name, source, mode: 'active' }, new Date()))
  ).id

// This file's own rules, not the default pack the workspace came with.
await db
  .updateTable('rules')
  .set({ mode: 'disabled' })
  .where('merchant_id', '=', m.id)
  .where('pack', '=', 'default')
  .execute()
const ruleId = await putRule('Customs hold', customsHold)
await putRule(
  'Customs hold: escalate',
  "IF case_type = 'Customs Hold' AND time_since_carrier_update >= 24h THEN escalate(team='Logistics Ops') " +
    "AND check_evidence('carrier_claim').",
)
await putRule('Undeliverable high value', undeliverable)
await putRule('Damaged', damaged)
await putRule('SLA 75%', "IF SLA_elapsed >= 75% THEN auto-notify(team_lead) AND add_tag('escalating').")

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

    // No carrier news for 24 h: escalated to Logistics Ops, the invoice generated, the declaration asked for.
    await runDueJobs(env.ctx, modules)
    const after = await db.selectFrom('cases').selectAll().where('id', '=', opened!.id).executeTakeFirstOrThrow()
    const ops = (await listTeams(db, m.id, { limit: 50 })).find((t) => t.name === 'Logistics Ops')!
    // The SLA policy's own steps may escalate it too: the rule's escalation is at least one level.
    expect(after.team_id).toBe(ops.id)
    expect(after.escalation_level).toBeGreaterThanOrEqual(1)
    const escalation = await db
      .selectFrom('rule_executions')
      .select(['actions'])
      .where('case_id', '=', opened!.id)
      .where('trigger', '=', 'carrier_silence')
      .execute()
    expect(escalation.map((r) => (r.actions as { action: string; status: string }[]).map((a) => a.status))).toEqual([
      ['done', 'done'],
    ])
    const items = await db.selectFrom('evidence_items').select(['type_key']).where('case_id', '=', opened!.id).execute()
    expect(items).toEqual([{ type_key: 'commercial_invoice' }])
    const asked = await db.selectFrom('evidence_requests').selectAll().where('case_id', '=', opened!.id).execute()
    expect(asked.map((r) => r.type_keys)).toEqual([['customs_declaration']])
  })

  it("opens a high-value undeliverable parcel as Lost Parcel with a 24 h SLA and tells HighValue (the issue's first rule)", async () => {
    const member = await db.transaction().execute((trx) =>
      createUser(
        trx,
        systemContext(m.id),
        {
          email: `hv-${newId()}@example.com`,
          name: 'Hana',
          password: 'correct horse battery staple',
          roleId: m.roleIds.agent!,
        },
        new Date(),
      ),
    )
    const teams = await listTeams(db, m.id, { limit: 50 })
    const highValue = teams.find((t) => t.name === 'HighValue')!
    await db
      .transaction()
      .execute((trx) => updateTeam(trx, systemContext(m.id), highValue.id, { memberIds: [member.id] }, new Date()))
    const s = await shippedOrder(env.ctx, m.id, { totalMinor: 18_000 })
    const at = new Date(Date.now() - 3_600_000).toISOString()
    await scan(s.trackingNumber, [{ id: 'ev-rts-1', status: 'returned_to_sender', occurred_at: at }])
    const lost = (await casesOf(s.shipmentId)).filter((c) => c.type_key === 'lost_parcel')
    expect(lost).toEqual([expect.objectContaining({ source: 'rule', priority: 'high' })])
    const clocks = await db.selectFrom('sla_clocks').selectAll().where('case_id', '=', lost[0]!.id).execute()
    expect(clocks.find((c) => c.target === 'resolution')).toMatchObject({ minutes: 24 * 60 })
    const told = await db.selectFrom('notifications').selectAll().where('user_id', '=', member.id).execute()
    expect(told).toEqual([expect.objectContaining({ case_id: lost[0]!.id })])
  })

  it("acknowledges a damaged case and asks for photos due in 48 h (the issue's second rule)", async () => {
    const s = await shippedOrder(env.ctx, m.id)
    const openedAt = new Date()
    const c = await db
      .transaction()
      .execute((trx) =>
        openCase(
          trx,
          systemContext(m.id),
          { caseType: 'damaged', subject: 'Crushed', shipmentId: s.shipmentId },
          openedAt,
        ),
      )
    await runDueJobs(env.ctx, modules)
    const messages = await db
      .selectFrom('messages')
      .select(['channel', 'subject'])
      .where('case_id', '=', c.id)
      .execute()
    expect(messages.filter((x) => x.channel === 'email').length).toBeGreaterThanOrEqual(1)
    const requests = await db.selectFrom('evidence_requests').selectAll().where('case_id', '=', c.id).execute()
    expect(requests).toHaveLength(1)
    expect(requests[0]!.due_at.getTime()).toBe(openedAt.getTime() + 48 * 3_600_000)
    expect(requests[0]!.type_keys.length).toBeGreaterThan(0)
  })

  it("tells the team lead and tags the case when 75% of its resolution time is spent (the issue's third rule)", async () => {
    const lead = await db.transaction().execute((trx) =>
      createUser(
        trx,
        systemContext(m.id),
        {
          email: `lead-${newId()}@example.com`,
          name: 'Lee',
          password: 'correct horse battery staple',
          roleId: m.roleIds.agent!,
        },
        new Date(),
      ),
    )
    const ops = (await listTeams(db, m.id, { limit: 50 })).find((t) => t.name === 'Logistics Ops')!
    await db
      .transaction()
      .execute((trx) => updateTeam(trx, systemContext(m.id), ops.id, { leadUserId: lead.id }, new Date()))
    const openedAt = new Date()
    const c = await db
      .transaction()
      .execute((trx) =>
        openCase(trx, systemContext(m.id), { caseType: 'other', subject: 'Slow', teamId: ops.id }, openedAt),
      )
    await runDueJobs(env.ctx, modules)
    const resolution = (await db.selectFrom('sla_clocks').selectAll().where('case_id', '=', c.id).execute()).find(
      (k) => k.target === 'resolution',
    )!
    const at75 = new Date(openedAt.getTime() + resolution.minutes * 0.76 * 60_000)
    await fireDueActions(env.ctx, clockHandlers(modules), () => at75)
    await runDueJobs(env.ctx, modules)
    const tags = (await db.selectFrom('cases').select('tags').where('id', '=', c.id).executeTakeFirstOrThrow()).tags
    expect(tags).toContain('escalating')
    // The SLA policy's own steps tell the lead too; the rule's notification is its own cause.
    const told = await db.selectFrom('notifications').selectAll().where('user_id', '=', lead.id).execute()
    expect(told.filter((n) => n.case_id === c.id && n.cause.startsWith('rule:'))).toHaveLength(1)
  })
})
