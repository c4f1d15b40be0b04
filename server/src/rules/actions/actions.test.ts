import { describe, expect, it } from 'vitest'
import { startTestApp } from '../../../test/harness.js'
import { systemContext } from '../../auth/actor.js'
import { changeStatus, onShipmentStatusChanged, openCase } from '../../cases/service.js'
import { setRequirements } from '../../evidence-requests/service.js'
import { listTeams, updateTeam } from '../../teams/service.js'
import { createUser } from '../../users/service.js'
import { blankFacts, runOne, type ShippedOrder, shippedOrder, statusChanged, testRule } from './testing.js'

const { env, m, call } = await startTestApp()
const db = env.ctx.db
const sys = systemContext(m.id)
const at = new Date('2026-11-10T09:00:00Z')

const teams = await listTeams(db, m.id, { limit: 50 })
const teamId = (name: string) => teams.find((t) => t.name === name)!.id

async function person(name: string) {
  return db.transaction().execute((trx) =>
    createUser(
      trx,
      sys,
      {
        email: `${name.toLowerCase()}-${Math.random().toString(36).slice(2)}@example.com`,
        name,
        password: 'correct horse battery staple',
        roleId: m.roleIds.agent!,
      },
      new Date(),
    ),
  )
}

// Logistics Ops: a lead and two agents; HighValue: one agent and no lead.
const lead = await person('Lena')
const [agentA, agentB, agentC] = [await person('Ali'), await person('Bo'), await person('Cy')]
await db.transaction().execute(async (trx) => {
  await updateTeam(
    trx,
    sys,
    teamId('Logistics Ops'),
    { leadUserId: lead.id, memberIds: [lead.id, agentA.id, agentB.id] },
    new Date(),
  )
  await updateTeam(trx, sys, teamId('HighValue'), { memberIds: [agentC.id] }, new Date())
})

async function caseFor(s: ShippedOrder | null, caseType = 'damaged', extra: Record<string, unknown> = {}) {
  const row = await db
    .transaction()
    .execute((trx) =>
      openCase(
        trx,
        sys,
        { caseType, subject: 'Boots', ...(s ? { shipmentId: s.shipmentId } : {}), ...extra },
        new Date(at.getTime() - 3_600_000),
      ),
    )
  return row.id
}

const caseRow = (id: string) => db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const casesOfShipment = (shipmentId: string) =>
  db
    .selectFrom('cases')
    .select(['id', 'type_key', 'source', 'priority'])
    .where('shipment_id', '=', shipmentId)
    .execute()
const auditOf = (caseId: string) =>
  db
    .selectFrom('audit_entries')
    .select(['action', 'actor_type', 'actor_id'])
    .where('merchant_id', '=', m.id)
    .where('entity_id', '=', caseId)
    .execute()
const notificationsOf = (userId: string) =>
  db.selectFrom('notifications').selectAll().where('user_id', '=', userId).execute()
const run = <N extends Parameters<typeof runOne>[2]>(
  name: N,
  args: Parameters<typeof runOne<N>>[3],
  input?: Parameters<typeof runOne>[4],
) => runOne(env.ctx, m.id, name, args, input)

describe('create_case', () => {
  it('opens a case about the shipment as the rule (source rule, channel carrier), linked, and sets it as the target of the actions after it', async () => {
    const s = await shippedOrder(env.ctx, m.id)
    const event = statusChanged(m.id, s, 'customs_hold', at)
    const rule = testRule('Customs hold')
    const { outcome, target } = await run(
      'create_case',
      { case_type: 'customs_hold', priority: 'high' },
      { event, rule, target: { shipmentId: s.shipmentId, orderId: s.orderId, customerId: s.customerId } },
    )
    expect(outcome).toMatchObject({ action: 'create_case', status: 'done', result: { outcome: 'opened' } })
    expect(target.caseId).toBe(outcome.case_id)
    const row = await caseRow(target.caseId!)
    expect(row).toMatchObject({
      type_key: 'customs_hold',
      priority: 'high',
      source: 'rule',
      channel: 'carrier',
      shipment_id: s.shipmentId,
      order_id: s.orderId,
      customer_id: s.customerId,
      tracking_number: s.trackingNumber,
    })
    expect(await auditOf(row.id)).toContainEqual({ action: 'case.opened', actor_type: 'rule', actor_id: rule.id })
    const timeline = (await call('GET', `/cases/${row.id}/timeline`)).json().data as { type: string; actor: unknown }[]
    expect(timeline.map((e) => e.type).sort()).toEqual(['carrier_event', 'case.opened'])
    expect(timeline.find((e) => e.type === 'case.opened')!.actor).toEqual({ type: 'rule', id: rule.id })
  })

  it('opens one case when the exception policy heard the same event first, and raises its priority', async () => {
    const s = await shippedOrder(env.ctx, m.id)
    const event = statusChanged(m.id, s, 'lost', at)
    await db.transaction().execute((trx) => onShipmentStatusChanged(trx, event, at))
    const [policyCase, ...none] = await casesOfShipment(s.shipmentId)
    expect(none).toEqual([])
    expect(policyCase).toMatchObject({ type_key: 'lost_parcel', source: 'exception_policy' })
    const { outcome, target } = await run(
      'create_case',
      { case_type: 'lost_parcel', priority: 'urgent' },
      { event, target: { shipmentId: s.shipmentId } },
    )
    expect(outcome).toMatchObject({ status: 'done', case_id: policyCase!.id, result: { outcome: 'unchanged' } })
    expect(target.caseId).toBe(policyCase!.id)
    expect(await casesOfShipment(s.shipmentId)).toEqual([{ ...policyCase, priority: 'urgent' }])
  })

  it('opens one case when the rule heard the event first: the policy finds the case and its entry (one carrier event)', async () => {
    const s = await shippedOrder(env.ctx, m.id)
    const event = statusChanged(m.id, s, 'lost', at)
    const { outcome } = await run(
      'create_case',
      { case_type: 'lost_parcel' },
      { event, target: { shipmentId: s.shipmentId } },
    )
    expect(outcome.result).toMatchObject({ outcome: 'opened' })
    await db.transaction().execute((trx) => onShipmentStatusChanged(trx, event, at))
    const cases = await casesOfShipment(s.shipmentId)
    expect(cases).toEqual([expect.objectContaining({ id: outcome.case_id, source: 'rule' })])
    const timeline = (await call('GET', `/cases/${outcome.case_id}/timeline`)).json().data as { type: string }[]
    expect(timeline.filter((e) => e.type === 'carrier_event')).toHaveLength(1)
  })

  it('opens nothing again when the event is delivered again (the ledger aside, the entry key holds)', async () => {
    const s = await shippedOrder(env.ctx, m.id)
    const event = statusChanged(m.id, s, 'customs_hold', at)
    const first = await run(
      'create_case',
      { case_type: 'customs_hold' },
      { event, target: { shipmentId: s.shipmentId } },
    )
    const again = await run(
      'create_case',
      { case_type: 'customs_hold' },
      { event, target: { shipmentId: s.shipmentId } },
    )
    expect(again.outcome).toMatchObject({
      status: 'done',
      case_id: first.outcome.case_id,
      result: { outcome: 'unchanged' },
    })
    expect(await casesOfShipment(s.shipmentId)).toHaveLength(1)
  })

  it('opens a case about the order when there is no shipment, and skips with nothing to open one about', async () => {
    const s = await shippedOrder(env.ctx, m.id)
    const { outcome } = await run('create_case', { case_type: 'other' }, { target: { orderId: s.orderId } })
    expect(await caseRow(outcome.case_id!)).toMatchObject({ order_id: s.orderId, source: 'rule', channel: 'api' })
    expect((await run('create_case', { case_type: 'other' })).outcome).toMatchObject({
      status: 'skipped',
      detail: 'no shipment, order or customer to open a case about',
    })
  })

  it('fails with the service refusal for a case type the workspace no longer has, writing nothing', async () => {
    const s = await shippedOrder(env.ctx, m.id)
    const { outcome } = await run(
      'create_case',
      { case_type: 'no_such_type' },
      { target: { shipmentId: s.shipmentId } },
    )
    expect(outcome).toMatchObject({ status: 'failed', result: { code: 'case_type_not_found' } })
    expect(await casesOfShipment(s.shipmentId)).toEqual([])
  })
})

describe('the case field actions', () => {
  it('sets the priority, tags, root cause and subject through updateCase as the rule, and skips what changes nothing', async () => {
    const caseId = await caseFor(await shippedOrder(env.ctx, m.id))
    const rule = testRule('Tidy')
    const target = { caseId }
    expect((await run('set_priority', { priority: 'urgent' }, { target, rule })).outcome).toMatchObject({
      status: 'done',
      case_id: caseId,
    })
    expect((await run('set_priority', { priority: 'urgent' }, { target })).outcome).toMatchObject({
      status: 'skipped',
      detail: 'nothing to change',
    })
    await run('add_tag', { tag: 'escalating' }, { target })
    expect((await run('add_tag', { tag: 'escalating' }, { target })).outcome.status).toBe('skipped')
    await run('set_root_cause', { root_cause: 'carrier', fault_party: 'Royal Mail' }, { target })
    await run('update_case', { subject: 'Boots, crushed' }, { target })
    expect(await caseRow(caseId)).toMatchObject({
      priority: 'urgent',
      tags: ['escalating'],
      root_cause: 'carrier',
      fault_party: 'Royal Mail',
      subject: 'Boots, crushed',
    })
    await run('remove_tag', { tag: 'escalating' }, { target })
    expect((await caseRow(caseId)).tags).toEqual([])
    expect(await auditOf(caseId)).toContainEqual({ action: 'case.updated', actor_type: 'rule', actor_id: rule.id })
  })

  it('refuses a root cause or priority the workspace does not know, as failed', async () => {
    const caseId = await caseFor(null)
    expect((await run('set_root_cause', { root_cause: 'gremlins' }, { target: { caseId } })).outcome).toMatchObject({
      status: 'failed',
      result: { code: 'validation_failed' },
    })
    expect((await run('set_priority', { priority: 'meh' }, { target: { caseId } })).outcome.status).toBe('failed')
  })

  it('changes the status through changeStatus, refuses to resolve without a resolution code, and reports a refused transition', async () => {
    const caseId = await caseFor(null)
    expect((await run('set_status', { status: 'waiting_carrier' }, { target: { caseId } })).outcome).toMatchObject({
      status: 'done',
      result: { from: 'new', to: 'waiting_carrier' },
    })
    expect((await run('set_status', { status: 'waiting_carrier' }, { target: { caseId } })).outcome.status).toBe(
      'skipped',
    )
    expect((await run('set_status', { status: 'resolved' }, { target: { caseId } })).outcome).toMatchObject({
      status: 'failed',
      result: { code: 'resolution_required' },
    })
    expect((await run('set_status', { status: 'new' }, { target: { caseId } })).outcome).toMatchObject({
      status: 'failed',
      result: { code: 'case_transition_invalid' },
    })
    expect((await caseRow(caseId)).status).toBe('waiting_carrier')
  })

  it('skips without a case, and on a resolved case', async () => {
    expect((await run('add_tag', { tag: 'x' })).outcome).toMatchObject({ status: 'skipped', detail: 'no case' })
    const caseId = await caseFor(null)
    await db
      .transaction()
      .execute((trx) => changeStatus(trx, sys, caseId, { status: 'resolved', resolutionCode: 'no_action' }, at))
    expect((await run('add_tag', { tag: 'x' }, { target: { caseId } })).outcome).toMatchObject({
      status: 'skipped',
      detail: 'the case is resolved',
    })
  })
})

describe('assign, escalate and notify', () => {
  it('assigns a person, then by a team and strategy (round robin through its members)', async () => {
    const caseId = await caseFor(null)
    const target = { caseId }
    expect((await run('assign', { user_id: agentA.id }, { target })).outcome).toMatchObject({ status: 'done' })
    expect((await caseRow(caseId)).assignee_id).toBe(agentA.id)
    expect((await run('assign', { user_id: agentA.id }, { target })).outcome.status).toBe('skipped')
    const { outcome } = await run('assign', { team_id: teamId('HighValue'), strategy: 'round_robin' }, { target })
    expect(outcome).toMatchObject({ status: 'done', result: { assignee_id: agentC.id, team_id: teamId('HighValue') } })
    expect(await caseRow(caseId)).toMatchObject({ assignee_id: agentC.id, team_id: teamId('HighValue') })
  })

  it('escalates, moves the case to the team (its assignee is not a member) and tells the team lead once', async () => {
    const caseId = await caseFor(null)
    await run('assign', { user_id: agentC.id }, { target: { caseId } })
    const triggerKey = 'clock:silence:1'
    const { outcome } = await run('escalate', { team_id: teamId('Logistics Ops') }, { target: { caseId }, triggerKey })
    expect(outcome).toMatchObject({ status: 'done', result: { level: 1, notified: [lead.id] } })
    expect(await caseRow(caseId)).toMatchObject({
      escalation_level: 1,
      team_id: teamId('Logistics Ops'),
      assignee_id: null,
    })
    const told = (await notificationsOf(lead.id)).filter((n) => n.case_id === caseId)
    expect(told).toHaveLength(1)
    expect(told[0]!.title).toMatch(/escalated to level 1/)
  })

  it('notifies the team lead of the case once per trigger occurrence, and skips when the team has no lead', async () => {
    const caseId = await caseFor(null, 'damaged', { teamId: teamId('Logistics Ops') })
    const rule = testRule('SLA watch')
    const input = { target: { caseId }, rule, triggerKey: 'sla:75' }
    expect((await run('notify', { to: { kind: 'team_lead' } }, input)).outcome).toMatchObject({
      status: 'done',
      result: { user_ids: [lead.id] },
    })
    await run('notify', { to: { kind: 'team_lead' } }, input)
    const told = (await notificationsOf(lead.id)).filter((n) => n.case_id === caseId)
    expect(told).toEqual([expect.objectContaining({ cause: `rule:${rule.id}:sla:75` })])
    const noLead = await caseFor(null, 'damaged', { teamId: teamId('HighValue') })
    expect((await run('notify', { to: { kind: 'team_lead' } }, { target: { caseId: noLead } })).outcome).toMatchObject({
      status: 'skipped',
      detail: 'HighValue has no team lead',
    })
  })

  it('notifies a team with no case (a connection alert), and skips the case-bound targets without one', async () => {
    const { outcome } = await run('notify', { to: { kind: 'team', team_id: teamId('Logistics Ops') } })
    expect(outcome).toMatchObject({ status: 'done' })
    expect(new Set(outcome.result!.user_ids as string[])).toEqual(new Set([lead.id, agentA.id, agentB.id]))
    expect((await run('notify', { to: { kind: 'assignee' } })).outcome).toMatchObject({
      status: 'skipped',
      detail: 'no case',
    })
  })
})

describe('set_sla and send_template', () => {
  it("sets the case's resolution target, and skips when it runs with those terms already", async () => {
    const caseId = await caseFor(null)
    const { outcome } = await run(
      'set_sla',
      { minutes: 48 * 60, target: 'resolution', business: false },
      { target: { caseId }, now: at },
    )
    expect(outcome.status).toBe('done')
    const clocks = await db.selectFrom('sla_clocks').selectAll().where('case_id', '=', caseId).execute()
    expect(clocks.find((c) => c.target === 'resolution')).toMatchObject({ minutes: 2880 })
    const again = await run(
      'set_sla',
      { minutes: 48 * 60, target: 'resolution', business: false },
      { target: { caseId }, now: at },
    )
    expect(again.outcome).toMatchObject({ status: 'skipped' })
  })

  it('sends the template by email once: the same trigger again finds the message sent', async () => {
    const s = await shippedOrder(env.ctx, m.id)
    const caseId = await caseFor(s)
    const rule = testRule('Acknowledge')
    const input = { target: { caseId }, rule, triggerKey: 'event-1' }
    const args = { template_id: 'x', purpose: 'acknowledgement', channels: ['email' as const] }
    const first = (await run('send_template', args, input)).outcome
    expect(first).toMatchObject({ status: 'done', result: { channels: [{ channel: 'email' }] } })
    const again = (await run('send_template', args, input)).outcome
    expect(again).toMatchObject({ status: 'skipped', detail: 'email: sent already' })
    const messages = await db.selectFrom('messages').select(['id']).where('case_id', '=', caseId).execute()
    expect(messages).toHaveLength(1)
    expect(messages[0]!.id).toBe((first.result!.channels as { message_id: string }[])[0]!.message_id)
  })

  it('skips a case with no customer, and fails on a purpose with no template', async () => {
    const bare = await caseFor(null)
    const args = { template_id: 'x', purpose: 'acknowledgement', channels: null }
    expect((await run('send_template', args, { target: { caseId: bare } })).outcome).toMatchObject({
      status: 'skipped',
      detail: 'the case has no customer',
    })
    const caseId = await caseFor(await shippedOrder(env.ctx, m.id))
    const missing = { ...args, purpose: 'no_such_purpose' }
    expect((await run('send_template', missing, { target: { caseId } })).outcome.status).toBe('failed')
  })
})

describe('evidence and orders', () => {
  it("asks for the case type's photo types for 'photo', once while that request is open", async () => {
    const caseId = await caseFor(await shippedOrder(env.ctx, m.id), 'damaged')
    const args = { types: [], any_photo: true, deadline_minutes: 48 * 60 }
    const { outcome } = await run('request_attachment', args, { target: { caseId } })
    expect(outcome).toMatchObject({ status: 'done' })
    const types = outcome.result!.types as string[]
    expect(types.length).toBeGreaterThan(0)
    expect(types.every((t) => t.endsWith('_photo') || t === 'serial_number')).toBe(true)
    const again = (await run('request_attachment', args, { target: { caseId } })).outcome
    expect(again).toMatchObject({ status: 'skipped', result: { request_id: outcome.result!.request_id } })
    const requests = await db.selectFrom('evidence_requests').select(['id']).where('case_id', '=', caseId).execute()
    expect(requests).toHaveLength(1)
  })

  it("checks an action the workspace never set against the case type's needs (a customs hold's invoice and declaration)", async () => {
    const caseId = await caseFor(await shippedOrder(env.ctx, m.id), 'customs_hold')
    const args = { for: 'insurance_claim', generate: false, request: false, deadline_minutes: 60 }
    const { outcome } = await run('check_evidence', args, { target: { caseId } })
    expect(outcome).toMatchObject({
      status: 'done',
      result: {
        basis: 'case_type',
        required: ['commercial_invoice', 'customs_declaration'],
        missing: ['commercial_invoice', 'customs_declaration'],
        generated: [],
      },
    })
  })

  it('checks the evidence of a carrier claim: generates the commercial invoice, asks for the rest, and says so on the timeline', async () => {
    await db
      .transaction()
      .execute((trx) =>
        setRequirements(trx, sys, { carrier_claim: ['commercial_invoice', 'customs_declaration'] }, new Date()),
      )
    const caseId = await caseFor(await shippedOrder(env.ctx, m.id), 'customs_hold')
    const args = { for: 'carrier_claim', generate: true, request: true, deadline_minutes: 72 * 60 }
    const { outcome } = await run('check_evidence', args, { target: { caseId }, triggerKey: 'silence-1' })
    expect(outcome).toMatchObject({
      status: 'done',
      result: {
        missing: ['customs_declaration'],
        generated: ['commercial_invoice'],
        requested: ['customs_declaration'],
      },
    })
    const items = await db
      .selectFrom('evidence_items')
      .select(['type_key', 'source'])
      .where('case_id', '=', caseId)
      .execute()
    expect(items).toEqual([{ type_key: 'commercial_invoice', source: 'generated' }])
    const timeline = (await call('GET', `/cases/${caseId}/timeline`)).json().data as {
      type: string
      text: string
      actor: { type: string }
    }[]
    const check = timeline.find((e) => e.type === 'rule')
    expect(check).toMatchObject({
      actor: { type: 'rule' },
      text: expect.stringMatching(/carrier claim: missing customs_declaration/),
    })
  })

  it('links the shipment order, then skips it linked; and finds the order a message names', async () => {
    const s = await shippedOrder(env.ctx, m.id)
    const caseId = await caseFor(null, 'other', { customerId: s.customerId })
    expect((await run('link_order', {}, { target: { caseId, shipmentId: s.shipmentId } })).outcome).toMatchObject({
      status: 'done',
      result: { order_id: s.orderId, by: 'the shipment' },
    })
    expect((await run('link_order', {}, { target: { caseId, shipmentId: s.shipmentId } })).outcome.status).toBe(
      'skipped',
    )
    const named = await shippedOrder(env.ctx, m.id, { orderNumber: '#77123', customerId: s.customerId })
    const other = await caseFor(null, 'other', { customerId: s.customerId })
    const facts = { ...blankFacts('message.received'), message_text: 'Where is order #77123?' }
    expect((await run('link_order', {}, { target: { caseId: other }, facts })).outcome).toMatchObject({
      status: 'done',
      result: { order_id: named.orderId },
    })
  })
})
