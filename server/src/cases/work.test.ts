import { describe, expect, it } from 'vitest'
import { bearer, expectError, sessionHeaders, startTestApp } from '../../test/harness.js'
import { systemContext } from '../auth/actor.js'
import { runDueJobs } from '../../test/jobs.js'
import { FixtureKit } from '../../test/route-fixtures.js'
import { upsertOrder } from '../orders/service.js'
import { modules } from '../registry.js'
import { upsertShipment } from '../shipments/service.js'
import { createTeam } from '../teams/service.js'
import { createUser } from '../users/service.js'
import { closeDueCases, purgeStalePresence } from './service.js'

const { env, app, m, call } = await startTestApp()
const kit = new FixtureKit(env.ctx, m)

// biome-ignore lint/suspicious/noExplicitAny: replies are read field by field, as a client would
type Json = Record<string, any>
const open = async (body: Json = {}) => {
  const res = await call('POST', '/cases', { case_type: 'damaged', subject: 'Cracked screen', ...body })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as Json
}
const getCase = async (id: string) => (await call('GET', `/cases/${id}`)).json() as Json
const timeline = async (id: string) =>
  ((await call('GET', `/cases/${id}/timeline?limit=200`)).json() as Json).data as Json[]

let seq = 0
async function people(n: number, teamName: string) {
  return env.ctx.db.transaction().execute(async (trx) => {
    const users = []
    for (let i = 0; i < n; i++) {
      users.push(
        await createUser(
          trx,
          systemContext(m.id),
          {
            email: `agent${++seq}@${m.slug}.example`,
            name: `Agent ${seq}`,
            password: 'agent-password-1',
            roleId: m.roleIds.agent!,
          },
          new Date(),
        ),
      )
    }
    const team = await createTeam(
      trx,
      systemContext(m.id),
      { name: `${teamName} ${seq}`, memberIds: users.map((u) => u.id) },
      new Date(),
    )
    return { team: team.id, users: users.map((u) => ({ id: u.id, email: u.email })) }
  })
}

const signIn = (email: string) => sessionHeaders(app, email, 'agent-password-1')

describe('case fields', () => {
  it('keeps refund_authorised_by out of PATCH /cases/{id}: only a refund approval sets it', async () => {
    const c = await open()
    const res = await call('PATCH', `/cases/${c.id}`, { refund_authorised_by: m.adminUserId }, bearer(m.keys.agent))
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual({
      error: {
        code: 'validation_failed',
        message: 'The request is not valid',
        details: { errors: [{ path: 'body/refund_authorised_by', message: 'must NOT have additional properties' }] },
      },
    })
    expect((await getCase(c.id)).refund_authorised_by).toBeNull()
  })
})

describe('assignment', () => {
  it('round-robin takes turns, skipping people who are away or at capacity', async () => {
    const {
      team,
      users: [a, b, c],
    } = await people(3, 'Round')
    expect((await call('PUT', `/case-agents/${c!.id}`, { away: true })).statusCode).toBe(200)
    expect((await call('PUT', `/case-agents/${b!.id}`, { capacity: 1 })).statusCode).toBe(200)
    const picks = []
    for (let i = 0; i < 4; i++) {
      const res = await call('POST', `/cases/${(await open()).id}/auto-assign`, {
        team_id: team,
        strategy: 'round_robin',
      })
      expect(res.statusCode, res.body).toBe(200)
      picks.push(res.json().case.assignee_id as string | null)
    }
    // b holds one case (its capacity) after its first turn; c is away; so a, b, a, a.
    expect(picks).toEqual([a!.id, b!.id, a!.id, a!.id])
    const agents = (await call('GET', `/teams/${team}/agents`)).json().data as Json[]
    expect(agents.map((x) => [x.user_id, x.open_cases, x.available])).toEqual(
      expect.arrayContaining([
        [a!.id, 3, true],
        [b!.id, 1, false],
        [c!.id, 0, false],
      ]),
    )
    const last = (
      await timeline(picks.length ? (await call('GET', `/cases?assignee_id=${a!.id}&limit=1`)).json().data[0].id : '')
    ).find((e) => e.type === 'assigned')!
    expect(last.data).toMatchObject({ to: a!.id, team_id: team, how: 'round_robin' })
  })

  it('least-loaded picks whoever holds the fewest unresolved cases; with nobody available the case goes to the team unassigned', async () => {
    const {
      team,
      users: [a, b],
    } = await people(2, 'Least')
    for (let i = 0; i < 2; i++) await call('POST', `/cases/${(await open()).id}/assign`, { assignee_id: a!.id })
    const res = await call('POST', `/cases/${(await open()).id}/auto-assign`, {
      team_id: team,
      strategy: 'least_loaded',
    })
    expect(res.json()).toMatchObject({ assigned: true, case: { assignee_id: b!.id, team_id: team } })
    await call('PUT', `/case-agents/${a!.id}`, {
      away: true,
      away_until: new Date(Date.now() + 3_600_000).toISOString(),
    })
    await call('PUT', `/case-agents/${b!.id}`, { capacity: 0 })
    const none = await call('POST', `/cases/${(await open()).id}/auto-assign`, {
      team_id: team,
      strategy: 'least_loaded',
    })
    expect(none.json()).toMatchObject({ assigned: false, case: { assignee_id: null, team_id: team } })
  })

  it('routing settings assign a new case by carrier, and refuse rules naming unknown teams', async () => {
    const {
      team,
      users: [a],
    } = await people(1, 'Logistics')
    const bad = await call('PUT', '/case-settings', {
      routing: [{ name: 'x', when: {}, team_id: '01930000-0000-7000-8000-000000000000', strategy: 'round_robin' }],
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.details.errors[0].path).toBe('body/routing/0/team_id')
    const put = await call('PUT', '/case-settings', {
      routing: [
        {
          name: 'DHL claims',
          when: { carriers: ['dhl_express'], case_types: ['lost_parcel', 'damaged'] },
          team_id: team,
          strategy: 'least_loaded',
        },
      ],
    })
    expect(put.statusCode, put.body).toBe(200)

    const shipment = await env.ctx.db.transaction().execute(async (trx) => {
      const { order } = await upsertOrder(
        trx,
        systemContext(m.id),
        {
          source: 'test',
          externalId: `route-${++seq}`,
          currency: 'GBP',
          placedAt: new Date(),
          totalMinor: 5000,
          lines: [{ name: 'Lamp', sku: 'LMP-1', category: 'home', quantity: 1, unitPriceMinor: 5000 }],
        },
        new Date(),
      )
      return (
        await upsertShipment(
          trx,
          systemContext(m.id),
          {
            source: 'test',
            externalId: `route-s-${seq}`,
            orderId: order.id,
            carrier: 'DHL',
            trackingNumber: `JD${seq}000`,
            shippedAt: new Date(),
          },
          new Date(),
        )
      ).shipment
    })
    const routed = await open({ shipment_id: shipment.id })
    const unrouted = await open({ case_type: 'other' })
    expect(routed).toMatchObject({ product_category: 'home', carrier_code: 'dhl_express' })
    await runDueJobs(env.ctx, modules)
    expect(await getCase(routed.id)).toMatchObject({ assignee_id: a!.id, team_id: team, status: 'open' })
    expect((await timeline(routed.id)).find((e) => e.type === 'assigned')!.data.how).toBe('routing:DHL claims')
    expect(await getCase(unrouted.id)).toMatchObject({ assignee_id: null, status: 'new' })
    expectError(await call('POST', `/cases/${unrouted.id}/auto-assign`, {}), 422, 'routing_no_match', {
      case_id: unrouted.id,
    })
    await call('PUT', '/case-settings', { routing: [] })
  })

  it("lets an agent set their own presence but not another person's", async () => {
    const {
      users: [a, b],
    } = await people(2, 'Presence')
    const session = await signIn(a!.email)
    expect((await call('PUT', `/case-agents/${a!.id}`, { away: true }, session)).statusCode).toBe(200)
    expect((await call('PUT', `/case-agents/${b!.id}`, { away: true }, session)).statusCode).toBe(403)
  })
})

describe('bulk actions and incidents', () => {
  it('applies one action per case, reporting each failure, and refuses unknown ids before changing anything', async () => {
    const [x, y, z] = [await open(), await open(), await open()]
    await call('POST', `/cases/${z.id}/status`, { status: 'resolved', resolution_code: 'replaced' })
    const res = await call('POST', '/cases/bulk', {
      case_ids: [x.id, y.id, z.id],
      action: { type: 'status', status: 'waiting_carrier' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ succeeded: 2, failed: 1 })
    expect(res.json().results.map((r: Json) => [r.id, r.ok, r.error?.code ?? r.case.status])).toEqual([
      [x.id, true, 'waiting_carrier'],
      [y.id, true, 'waiting_carrier'],
      [z.id, false, 'case_transition_invalid'],
    ])

    const unknown = await call('POST', '/cases/bulk', {
      case_ids: [x.id, '01930000-0000-7000-8000-000000000000'],
      action: { type: 'tags', add: ['never'] },
    })
    expect(unknown.statusCode).toBe(404)
    expect((await getCase(x.id)).tags).not.toContain('never')

    const tagged = await call('POST', '/cases/bulk', {
      case_ids: [x.id, y.id],
      action: { type: 'tags', add: ['carrier-outage'] },
    })
    expect(tagged.json().succeeded).toBe(2)
    expect(
      (await call('GET', '/cases?tag=carrier-outage'))
        .json()
        .data.map((c: Json) => c.id)
        .sort(),
    ).toEqual([x.id, y.id].sort())
    expect((await call('POST', '/cases/bulk', { case_ids: [x.id], action: { type: 'explode' } })).statusCode).toBe(400)
  })

  it('needs cases.assign to bulk-assign to someone else', async () => {
    const {
      users: [a, b],
    } = await people(2, 'Bulk')
    const session = await signIn(a!.email)
    const c = await open()
    expect(
      (await call('POST', '/cases/bulk', { case_ids: [c.id], action: { type: 'assign', assignee_id: b!.id } }, session))
        .statusCode,
    ).toBe(403)
    const self = await call(
      'POST',
      '/cases/bulk',
      { case_ids: [c.id], action: { type: 'assign', assignee_id: a!.id } },
      session,
    )
    expect(self.json().results[0].case.assignee_id).toBe(a!.id)
  })

  it('groups cases under an incident, fans actions out to its open children, and keeps incidents one level deep', async () => {
    const parent = await open({ case_type: 'late_delivery', subject: 'Evri depot closed by flooding' })
    const [c1, c2, done] = [await open(), await open(), await open()]
    await call('POST', `/cases/${done.id}/status`, { status: 'resolved', resolution_code: 'no_action' })
    const attach = await call('POST', `/cases/${parent.id}/children`, { case_ids: [c1.id, c2.id, done.id] })
    expect(attach.statusCode, attach.body).toBe(200)
    expect(attach.json().children.sort()).toEqual([c1.id, c2.id, done.id].sort())
    expectError(await call('POST', `/cases/${c1.id}/children`, { case_ids: [c2.id] }), 422, 'case_incident_invalid', {
      parent_id: c1.id,
      case_id: c2.id,
    })
    const lone = await open()
    expectError(
      await call('POST', `/cases/${lone.id}/children`, { case_ids: [parent.id] }),
      422,
      'case_incident_invalid',
      {
        parent_id: lone.id,
        case_id: parent.id,
      },
    )
    expectError(await call('PATCH', `/cases/${parent.id}`, { parent_id: parent.id }), 422, 'case_incident_invalid', {
      parent_id: parent.id,
      case_id: parent.id,
    })

    const fan = await call('POST', `/cases/${parent.id}/children/actions`, {
      action: { type: 'status', status: 'resolved', resolution_code: 'carrier_credited' },
    })
    expect(fan.json()).toMatchObject({ succeeded: 2, failed: 0 })
    expect((await getCase(c1.id)).resolution_code).toBe('carrier_credited')
    expect((await getCase(done.id)).resolution_code).toBe('no_action')
    expect((await timeline(c1.id)).some((e) => e.type === 'incident_attached')).toBe(true)

    expect((await call('DELETE', `/cases/${parent.id}/children/${c2.id}`)).json().children).not.toContain(c2.id)
    expect((await call('DELETE', `/cases/${parent.id}/children/${c2.id}`)).statusCode).toBe(404)
  })
})

describe('split', () => {
  it('moves the chosen shipment and copies the chosen entries to a new linked case', async () => {
    const shipmentId = await kit.shipment()
    const original = await open({ shipment_id: shipmentId })
    expect((await call('POST', `/cases/${original.id}/notes`, { body: 'Second box also dented' })).statusCode).toBe(201)
    const entry = (await timeline(original.id)).find((e) => e.type === 'note')!

    const bad = await call('POST', `/cases/${original.id}/split`, {
      subject: 'x',
      timeline_entry_ids: ['01930000-0000-7000-8000-000000000000'],
    })
    expect(bad.statusCode).toBe(422)
    const sharedLink = await call('POST', `/cases/${original.id}/split`, {
      subject: 'x',
      links: [{ entity_type: 'order', entity_id: original.order_id }],
    })
    expectError(sharedLink, 422, 'case_split_invalid', {
      errors: [{ path: 'body/links', message: 'the order stays linked to both cases; it is not moved' }],
    })
    expect((await call('GET', `/cases?shipment_id=${shipmentId}`)).json().data).toHaveLength(1)

    const res = await call('POST', `/cases/${original.id}/split`, {
      subject: 'Second box damaged',
      timeline_entry_ids: [entry.id],
      links: [{ entity_type: 'shipment', entity_id: shipmentId }],
    })
    expect(res.statusCode, res.body).toBe(201)
    const { split } = res.json()
    expect(split).toMatchObject({
      split_from_id: original.id,
      shipment_id: shipmentId,
      order_id: original.order_id,
      customer_id: original.customer_id,
      source: 'split',
    })
    const types = (original.links as Json[]).map((l) => l.entity_type as string)
    expect(types).toContain('shipment')
    expect(split.links.map((l: Json) => l.entity_type).sort()).toEqual([...types, 'case'].sort())
    const after = await getCase(original.id)
    expect(after.shipment_id).toBeNull()
    expect(after.links.map((l: Json) => l.entity_type).sort()).toEqual(
      [...types.filter((t) => t !== 'shipment'), 'case'].sort(),
    )
    const copied = (await timeline(split.id)).find((e) => e.type === 'note')!
    expect(copied).toMatchObject({
      text: 'Second box also dented',
      occurred_at: entry.occurred_at,
      data: { copied_from: { case_id: original.id, entry_id: entry.id } },
    })
    expect((await timeline(original.id)).filter((e) => e.type === 'split')).toHaveLength(1)
  })
})

describe('saved views', () => {
  it("lists built-ins, the shared views and one's own, never another person's", async () => {
    const {
      users: [a, b],
    } = await people(2, 'Views')
    const sa = await signIn(a!.email)
    const sb = await signIn(b!.email)
    const mine = await call(
      'POST',
      '/case-views',
      { name: 'My urgent', filters: { assignee_id: 'me', priority: 'urgent,high' }, sort: 'priority_desc' },
      sa,
    )
    expect(mine.statusCode, mine.body).toBe(201)
    expect((await call('POST', '/case-views', { name: 'My urgent', filters: {} }, sa)).statusCode).toBe(409)
    expect((await call('POST', '/case-views', { name: 'Team', shared: true, filters: {} }, sa)).statusCode).toBe(403)
    expect((await call('POST', '/case-views', { name: 'Bad', filters: { colour: 'red' } }, sa)).statusCode).toBe(400)
    const shared = await call('POST', '/case-views', {
      name: 'Customs',
      shared: true,
      filters: { case_type: 'customs_hold', status: 'unresolved' },
    })
    expect(shared.statusCode, shared.body).toBe(201)

    const names = async (s: Record<string, string>) =>
      ((await call('GET', '/case-views', undefined, s)).json().data as Json[]).map((v) => v.name)
    expect(await names(sa)).toEqual(expect.arrayContaining(['Mine', 'Unassigned', 'All open', 'Customs', 'My urgent']))
    expect(await names(sb)).not.toContain('My urgent')
    expect((await call('PATCH', `/case-views/${mine.json().id}`, { name: 'Theirs now' }, sb)).statusCode).toBe(404)
    expect((await call('PATCH', `/case-views/${shared.json().id}`, { name: 'Mine now' }, sa)).statusCode).toBe(403)
    expect((await call('PATCH', `/case-views/${mine.json().id}`, { sort: 'updated_desc' }, sa)).json().sort).toBe(
      'updated_desc',
    )
    expect((await call('DELETE', `/case-views/${mine.json().id}`, undefined, sa)).statusCode).toBe(204)
    expect(await names(sa)).not.toContain('My urgent')
  })
})

describe('auto-close', () => {
  it("closes resolved cases after the workspace's delay, unless reopened or turned off", async () => {
    const [due, reopened, fresh] = [await open(), await open(), await open()]
    for (const c of [due, reopened, fresh])
      await call('POST', `/cases/${c.id}/status`, { status: 'resolved', resolution_code: 'refunded' })
    const past = new Date(Date.now() - 73 * 3_600_000)
    await env.ctx.db.updateTable('cases').set({ resolved_at: past }).where('id', 'in', [due.id, reopened.id]).execute()
    await call('POST', `/cases/${reopened.id}/reopen`, {})
    await closeDueCases(env.ctx, 100)
    expect((await getCase(due.id)).status).toBe('closed')
    expect((await getCase(reopened.id)).status).toBe('open')
    expect((await getCase(fresh.id)).status).toBe('resolved')
    expect((await timeline(due.id)).at(-1)).toMatchObject({
      type: 'status_changed',
      data: { to: 'closed', reason: 'auto_close' },
    })

    await call('PUT', '/case-settings', { auto_close_after_hours: 0 })
    await env.ctx.db.updateTable('cases').set({ resolved_at: past }).where('id', '=', fresh.id).execute()
    await closeDueCases(env.ctx, 100)
    expect((await getCase(fresh.id)).status).toBe('resolved')
    await call('PUT', '/case-settings', { auto_close_after_hours: 72 })
  })
})

describe('presence on a case', () => {
  it('tells who else is viewing or replying, keeps "since" across heartbeats, and lapses without them', async () => {
    const c = await open({ subject: 'Two agents, one case' })
    const ada = await sessionHeaders(app, m.adminEmail, m.password)
    const bob = await env.ctx.db.transaction().execute((trx) =>
      createUser(
        trx,
        systemContext(m.id),
        {
          email: `bob-${Date.now()}@${m.slug}.example`,
          name: 'Bob',
          password: 'bob-password-1',
          roleId: m.roleIds.agent!,
        },
        new Date(),
      ),
    )
    const bobHeaders = await sessionHeaders(app, bob.email, 'bob-password-1')
    expect((await call('PUT', `/cases/${c.id}/presence`, { state: 'viewing' }, ada)).statusCode).toBe(204)
    expect((await call('PUT', `/cases/${c.id}/presence`, { state: 'replying' }, bobHeaders)).statusCode).toBe(204)
    const seen = (await call('GET', `/cases/${c.id}/presence`)).json().data as Json[]
    expect(seen.map((p) => [p.user_id, p.state])).toEqual([
      [m.adminUserId, 'viewing'],
      [bob.id, 'replying'],
    ])

    // A repeat heartbeat keeps "since"; a change of state restarts it.
    const since = seen[0]!.since
    await call('PUT', `/cases/${c.id}/presence`, { state: 'viewing' }, ada)
    expect(((await call('GET', `/cases/${c.id}/presence`)).json().data as Json[])[0]!.since).toBe(since)

    expect((await call('DELETE', `/cases/${c.id}/presence`, undefined, bobHeaders)).statusCode).toBe(204)
    expect(((await call('GET', `/cases/${c.id}/presence`)).json().data as Json[]).map((p) => p.user_id)).toEqual([
      m.adminUserId,
    ])

    // A tab that stopped beating drops out, and the purge deletes it.
    await env.ctx.db
      .updateTable('case_presence')
      .set({ seen_at: new Date(Date.now() - 60_000) })
      .where('case_id', '=', c.id)
      .execute()
    expect((await call('GET', `/cases/${c.id}/presence`)).json().data).toEqual([])
    expect(await purgeStalePresence(env.ctx.db, new Date())).toBeGreaterThanOrEqual(1)

    // People only, on their own workspace's cases, with a known state.
    expect((await call('PUT', `/cases/${c.id}/presence`, { state: 'viewing' })).statusCode).toBe(403)
    expect((await call('PUT', `/cases/${c.id}/presence`, { state: 'typing' }, ada)).statusCode).toBe(400)
    expect(
      (await call('PUT', '/cases/01a20000-0000-7000-8000-000000000000/presence', { state: 'viewing' }, ada)).statusCode,
    ).toBe(404)
  })
})
