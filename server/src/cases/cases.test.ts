import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bearer, createTestMerchant, expectError, startTestApp } from '../../test/harness.js'
import { FixtureKit } from '../../test/route-fixtures.js'
import { createTeam } from '../teams/service.js'
import { createUser } from '../users/service.js'
import { transitions } from './lifecycle.js'
import { caseStatuses, resolutionCodes } from './tables.js'
import { systemContext } from '../auth/actor.js'

const { env, app, m, other, call } = await startTestApp({ other: true })
const kit = new FixtureKit(env.ctx, m)

const open = async (body: Record<string, unknown>) => {
  const res = await call('POST', '/cases', body)
  expect(res.statusCode).toBe(201)
  return res.json() as { id: string; number: string; status: string }
}
const auditCount = async (id: string) =>
  Number(
    (
      await env.ctx.db
        .selectFrom('audit_entries')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('entity_id', '=', id)
        .executeTakeFirstOrThrow()
    ).n,
  )
const timelineCount = async (id: string) =>
  Number(
    (
      await env.ctx.db
        .selectFrom('case_timeline')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('case_id', '=', id)
        .executeTakeFirstOrThrow()
    ).n,
  )

describe('cases API', () => {
  it("opens a case with its type's template, and validates custom fields, types and references", async () => {
    const shipmentId = await kit.shipment()
    const c = await open({
      case_type: 'damaged',
      shipment_id: shipmentId,
      custom_fields: { damage_severity: 'functional' },
      tags: ['fragile'],
    })
    expect(c).toMatchObject({
      case_type: 'damaged',
      status: 'new',
      priority: 'normal',
      shipment_id: shipmentId,
      custom_fields: { damage_severity: 'functional' },
      tags: ['fragile'],
    })
    expect((c as unknown as { checklist: { done: boolean }[] }).checklist.length).toBeGreaterThan(0)
    const bad = await call('POST', '/cases', {
      case_type: 'damaged',
      custom_fields: { damage_severity: 'shattered', colour: 'red' },
    })
    expectError(bad, 422, 'custom_field_invalid', {
      errors: [
        { path: 'custom_fields/damage_severity', message: 'must be one of cosmetic, functional, unusable' },
        { path: 'custom_fields/colour', message: 'is not a field of this case type' },
      ],
    })
    expect(
      bad
        .json()
        .error.details.errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['custom_fields/colour', 'custom_fields/damage_severity'])
    const unknown = await call('POST', '/cases', { case_type: 'no_such_type' })
    expectError(unknown, 404, 'case_type_not_found', { case_type: 'no_such_type' })
    const theirs = await new FixtureKit(env.ctx, other).customer()
    const foreign = await call('POST', '/cases', { case_type: 'other', customer_id: theirs })
    expectError(foreign, 404, 'customer_not_found', { customer_id: theirs })
    const extra = await call('POST', '/cases', { case_type: 'other', colour: 'red' })
    expect(extra.statusCode).toBe(400)
  })

  it('enforces the lifecycle: the first act opens a new case, illegal moves answer 409 with the allowed ones, resolving needs a code', async () => {
    const c = await open({ case_type: 'other', subject: 'Customer asks where the parcel is' })
    expect(
      (await call('POST', `/cases/${c.id}/notes`, { body: 'Checked the carrier portal' })).json().case.status,
    ).toBe('open')
    const illegal = await call('POST', `/cases/${c.id}/status`, { status: 'closed' })
    expectError(illegal, 409, 'case_transition_invalid', {
      case_id: c.id,
      status: 'open',
      requested: 'closed',
      allowed: ['waiting_customer', 'waiting_carrier', 'on_hold', 'resolved'],
    })
    const noCode = await call('POST', `/cases/${c.id}/status`, { status: 'resolved' })
    expectError(noCode, 422, 'resolution_required', { case_id: c.id })
    const resolved = (
      await call('POST', `/cases/${c.id}/status`, {
        status: 'resolved',
        resolution_code: 'reshipped',
        root_cause: 'carrier',
      })
    ).json()
    expect(resolved).toMatchObject({ status: 'resolved', resolution_code: 'reshipped', root_cause: 'carrier' })
    const reopened = (await call('POST', `/cases/${c.id}/reopen`, { reason: 'Reship never arrived' })).json()
    expect(reopened).toMatchObject({ id: c.id, status: 'open', resolution_code: null, reopen_count: 1 })
  })

  it('reopens a case closed longer ago than the reopen window into a linked follow-up', async () => {
    const c = await open({ case_type: 'late_delivery', subject: 'Late boots' })
    await call('POST', `/cases/${c.id}/status`, { status: 'resolved', resolution_code: 'no_action' })
    await call('POST', `/cases/${c.id}/status`, { status: 'closed' })
    await env.ctx.db
      .updateTable('cases')
      .set({ closed_at: new Date(Date.now() - 400 * 3_600_000) })
      .where('id', '=', c.id)
      .execute()
    const follow = (await call('POST', `/cases/${c.id}/reopen`, { reason: 'Still not here' })).json()
    expect(follow).toMatchObject({
      follow_up_of_id: c.id,
      status: 'new',
      source: 'follow_up',
      subject: 'Follow-up: Late boots',
    })
    expect(follow.links).toEqual(
      expect.arrayContaining([expect.objectContaining({ entity_type: 'case', entity_id: c.id })]),
    )
    expect((await call('GET', `/cases/${c.id}`)).json().status).toBe('closed')
  })

  it('assigns: agents take cases themselves but need cases.assign for others; a disabled person is refused; the assignee is notified', async () => {
    const c = await open({ case_type: 'other', subject: 'Assign me' })
    const agentId = await kit.user()
    const toOther = await call('POST', `/cases/${c.id}/assign`, { assignee_id: agentId }, m.keys.agent)
    expectError(toOther, 403, 'forbidden', { permission: 'cases.assign' })
    const assigned = await call('POST', `/cases/${c.id}/assign`, { assignee_id: agentId })
    expect(assigned.json()).toMatchObject({ assignee_id: agentId, followers: [agentId], status: 'open' })
    const notes = await env.ctx.db
      .selectFrom('notifications')
      .select(['cause', 'case_id'])
      .where('user_id', '=', agentId)
      .execute()
    expect(notes).toEqual([{ cause: 'assigned', case_id: c.id }])
    await env.ctx.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', agentId).execute()
    const disabled = await call('POST', `/cases/${c.id}/assign`, { assignee_id: agentId })
    expectError(disabled, 422, 'assignee_invalid', { assignee_id: agentId })
  })

  it('gives each timeline entry what a field change changed and the people and teams it names', async () => {
    const { ana, team } = await env.ctx.db.transaction().execute(async (trx) => ({
      ana: await createUser(
        trx,
        systemContext(m.id),
        {
          email: `ana@${m.slug}.example`,
          name: 'Ana Ruiz',
          password: 'ana-password-1',
          roleId: m.roleIds.agent!,
        },
        new Date(),
      ),
      team: await createTeam(trx, systemContext(m.id), { name: 'Returns team' }, new Date()),
    }))
    const c = await open({ case_type: 'damaged', subject: 'Mug', tags: ['fragile'] })
    const patch = {
      subject: 'Mug in pieces',
      add_tags: ['vip'],
      remove_tags: ['fragile'],
      custom_fields: { damage_severity: 'unusable' },
    }
    expect((await call('PATCH', `/cases/${c.id}`, patch)).statusCode).toBe(200)
    expect((await call('POST', `/cases/${c.id}/assign`, { assignee_id: ana.id, team_id: team.id })).statusCode).toBe(
      200,
    )
    const resolve = {
      status: 'resolved',
      resolution_code: 'refunded',
      root_cause: 'carrier',
      resolution_note: 'Refunded in full',
    }
    expect((await call('POST', `/cases/${c.id}/status`, resolve)).statusCode).toBe(200)
    type Entry = { type: string; data: Record<string, unknown>; names: Record<string, string> }
    const entries = (await call('GET', `/cases/${c.id}/timeline`)).json().data as Entry[]
    expect(entries.find((e) => e.type === 'fields_changed')!.data).toEqual({
      fields: ['subject', 'tags', 'custom_fields'],
      changes: {
        subject: { from: 'Mug', to: 'Mug in pieces' },
        tags: { added: ['vip'], removed: ['fragile'] },
        custom_fields: { from: { damage_severity: null }, to: { damage_severity: 'unusable' } },
      },
    })
    const assigned = entries.find((e) => e.type === 'assigned')!
    expect(assigned.names).toEqual({ [ana.id]: 'Ana Ruiz', [team.id]: 'Returns team' })
    expect(entries.find((e) => e.type === 'status_changed' && e.data.to === 'resolved')!.data).toEqual({
      from: 'open',
      to: 'resolved',
      resolution_code: 'refunded',
      root_cause: 'carrier',
      resolution_note: 'Refunded in full',
      reason: null,
    })
  })

  it('records a value at stake set to what it already is as no change', async () => {
    const c = await open({ case_type: 'damaged', subject: 'Lamp' })
    const value = { value: { amount_minor: 4_500, currency: 'GBP' } }
    for (let i = 0; i < 2; i++) expect((await call('PATCH', `/cases/${c.id}`, value)).statusCode).toBe(200)
    type Entry = { type: string; data: { fields?: string[] } }
    const entries = (await call('GET', `/cases/${c.id}/timeline`)).json().data as Entry[]
    expect(entries.filter((e) => e.type === 'fields_changed').map((e) => e.data.fields)).toEqual([['value']])
  })

  it('notifies a mentioned person in words, and finds the note by the name mentioned, never by the markup', async () => {
    const bo = await env.ctx.db.transaction().execute((trx) =>
      createUser(
        trx,
        systemContext(m.id),
        {
          email: `bo@${m.slug}.example`,
          name: 'Bo Quill',
          password: 'bo-password-1',
          roleId: m.roleIds.agent!,
        },
        new Date(),
      ),
    )
    const c = await open({ case_type: 'other', subject: 'Strap snapped' })
    const note = await call('POST', `/cases/${c.id}/notes`, { body: `@[Bo Quill](${bo.id}) can you call the courier?` })
    expect([note.statusCode, note.json().mentions]).toEqual([201, [bo.id]])
    const sent = await env.ctx.db
      .selectFrom('notifications')
      .select(['title', 'body'])
      .where('user_id', '=', bo.id)
      .execute()
    expect(sent).toEqual([{ title: `Mentioned on ${c.number}`, body: '@Bo Quill can you call the courier?' }])
    expect((await call('GET', '/cases?q=Quill')).json().data.map((x: { id: string }) => x.id)).toEqual([c.id])
  })

  it('merges duplicates into a survivor: closed as duplicate, pointing to it, links and timelines combined', async () => {
    const customerId = await kit.customer()
    const survivor = await open({ case_type: 'wrong_item', subject: 'Wrong colour sent', customer_id: customerId })
    const dup = await open({
      case_type: 'wrong_item',
      subject: 'Sent red not blue',
      links: [{ entity_type: 'order', entity_id: (await kit.order()).id }],
      tags: ['colour'],
    })
    await call('POST', `/cases/${dup.id}/notes`, { body: 'Customer sent photo of the red jumper' })
    const merged = (await call('POST', `/cases/${survivor.id}/merge`, { duplicate_ids: [dup.id] })).json()
    expect(merged.tags).toEqual(['colour'])
    expect(merged.links.map((l: { entity_type: string }) => l.entity_type).sort()).toEqual([
      'case',
      'customer',
      'order',
    ])
    expect((await call('GET', `/cases/${dup.id}`)).json()).toMatchObject({
      status: 'closed',
      resolution_code: 'duplicate',
      merged_into_id: survivor.id,
    })
    const timeline = (await call('GET', `/cases/${survivor.id}/timeline?type=note`)).json().data
    expect(timeline.map((e: { case_id: string; text: string }) => [e.case_id, e.text])).toEqual([
      [dup.id, 'Customer sent photo of the red jumper'],
    ])
    const again = await call('POST', `/cases/${dup.id}/notes`, { body: 'late note' })
    expectError(again, 409, 'case_merged', { case_id: dup.id, merged_into_id: survivor.id })
    const self = await call('POST', `/cases/${survivor.id}/merge`, { duplicate_ids: [survivor.id] })
    expectError(self, 422, 'case_merge_invalid', { case_id: survivor.id })
  })

  it('finds cases by filters, full text over notes, case number, and pages with a cursor', async () => {
    const tag = `t${Date.now()}`
    const made = []
    for (let i = 0; i < 5; i++)
      made.push(
        await open({
          case_type: 'missing_item',
          subject: `Missing socks ${i}`,
          tags: [tag],
          priority: i === 0 ? 'urgent' : 'normal',
        }),
      )
    await call('POST', `/cases/${made[2]!.id}/notes`, {
      body: 'The warehouse found the parcel with a torn label in Swindon',
    })
    const first = (await call('GET', `/cases?tag=${tag}&limit=2&counts=true`)).json()
    expect(first.data.map((c: { id: string }) => c.id)).toEqual([made[4]!.id, made[3]!.id])
    expect(first.counts).toEqual({ '0_24h': 5, '24_72h': 0, '72h_plus': 0 })
    const rest = (await call('GET', `/cases?tag=${tag}&limit=10&cursor=${first.next_cursor}`)).json()
    expect(rest.data.map((c: { id: string }) => c.id)).toEqual([made[2]!.id, made[1]!.id, made[0]!.id])
    expect(rest.next_cursor).toBeNull()
    const byPriority = (await call('GET', `/cases?tag=${tag}&sort=priority_desc&limit=1`)).json()
    expect(byPriority.data[0].id).toBe(made[0]!.id)
    const text = (await call('GET', `/cases?q=${encodeURIComponent('swindon label')}&sort=relevance`)).json()
    expect(text.data.map((c: { id: string }) => c.id)).toEqual([made[2]!.id])
    const byNumber = (await call('GET', `/cases?q=${made[3]!.number}`)).json()
    expect(byNumber.data.map((c: { id: string }) => c.id)).toEqual([made[3]!.id])
    const unassigned = (
      await call('GET', `/cases?tag=${tag}&assignee_id=none&status=unresolved&case_type=missing_item`)
    ).json()
    expect(unassigned.data).toHaveLength(5)
    const wrongSort = await call('GET', `/cases?tag=${tag}&sort=created_asc&cursor=${first.next_cursor}`)
    expectError(wrongSort, 400, 'validation_failed', {
      errors: [{ path: 'querystring/cursor', message: 'is not a cursor from this API' }],
    })
    expect((await call('GET', `/cases?tag=${tag}`, undefined, other.keys.admin)).json().data).toEqual([])
  })

  it('refuses a crafted cursor whose values do not fit its sort (arity, types, junk) with 400, never a 500', async () => {
    const c = await open({ case_type: 'other', subject: 'Cursor probe' })
    const at = '2026-11-22T10:00:00.123456+00:00'
    const cursor = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')
    const badCursor = {
      error: {
        code: 'validation_failed',
        message: 'The cursor is not valid',
        details: { errors: [{ path: 'querystring/cursor', message: 'is not a cursor from this API' }] },
      },
    }
    const probes: [string, unknown][] = [
      ['', ['created_desc', [at]]],
      ['', ['created_desc', [at, c.id, 'x']]],
      ['', ['created_desc', []]],
      ['', ['created_desc', [5, c.id]]],
      ['', ['created_desc', ['not a time', c.id]]],
      ['', ['created_desc', ['2026-13-45T10:00:00Z', c.id]]],
      ['', ['created_desc', [at, 'not-a-uuid']]],
      ['', ['created_desc', [at, 7]]],
      ['&sort=priority_desc', ['priority_desc', ['high', at, c.id]]],
      ['&sort=priority_desc', ['priority_desc', [at, c.id]]],
      ['&sort=priority_desc', ['priority_desc', [1e300, at, c.id]]],
      ['&sort=relevance&q=parcel', ['relevance', [at, c.id]]],
      ['&sort=relevance&q=parcel', ['relevance', ['0.5', at, c.id]]],
      ['&sort=relevance', ['relevance', [0.5, at, c.id]]],
      ['', { sort: 'created_desc' }],
      ['', null],
      ['', 'created_desc'],
      ['', '{"a":'],
      ['', ['created_desc', [-1e9, c.id]]],
    ]
    for (const [query, value] of probes) {
      const res = await call('GET', `/cases?cursor=${cursor(value)}${query}`)
      expect([JSON.stringify(value), query, res.statusCode, res.json()]).toEqual([
        JSON.stringify(value),
        query,
        400,
        badCursor,
      ])
    }
    await open({ case_type: 'other', subject: 'Cursor probe again' })
    for (const query of [
      'sort=created_desc',
      'sort=created_asc',
      'sort=updated_desc',
      'sort=priority_desc',
      'sort=relevance',
      'sort=relevance&q=cursor',
    ]) {
      const first = (await call('GET', `/cases?${query}&limit=1`)).json()
      const next = await call('GET', `/cases?${query}&limit=1&cursor=${first.next_cursor}`)
      expect([query, next.statusCode]).toEqual([query, 200])
    }
    for (const value of [[at, 'not-a-uuid'], ['-270000-01-01T00:00:00Z', c.id], ['soon', c.id], [at], 'junk']) {
      const res = await call('GET', `/cases/${c.id}/timeline?cursor=${cursor(value)}`)
      expect([JSON.stringify(value), res.statusCode, res.json()]).toEqual([JSON.stringify(value), 400, badCursor])
    }
  })

  it('counts tagged cases from the tag index exactly as the list finds them, through tag, status and date changes', async () => {
    const [a, b] = [`a${Date.now()}`, `b${Date.now()}`]
    const cs = [
      await open({ case_type: 'other', tags: [a] }),
      await open({ case_type: 'other', tags: [a, b] }),
      await open({ case_type: 'other', tags: [b] }),
      await open({ case_type: 'other' }),
    ]
    await env.ctx.db
      .updateTable('cases')
      .set({ created_at: new Date(Date.now() - 48 * 3_600_000) })
      .where('id', '=', cs[1]!.id)
      .execute()
    await call('POST', `/cases/${cs[0]!.id}/status`, { status: 'resolved', resolution_code: 'no_action' })
    await call('PATCH', `/cases/${cs[2]!.id}`, { add_tags: [a] })
    await call('POST', '/cases/bulk', { case_ids: [cs[3]!.id], action: { type: 'tags', add: [a, b] } })
    await call('PATCH', `/cases/${cs[3]!.id}`, { remove_tags: [b] })
    const bucketOf = (at: string) => {
      const h = (Date.now() - Date.parse(at)) / 3_600_000
      return h <= 24 ? '0_24h' : h <= 72 ? '24_72h' : '72h_plus'
    }
    for (const query of [
      `tag=${a}`,
      `tag=${a},${b}`,
      `tag=${b}`,
      `tag=${a}&status=resolved`,
      `tag=${a}&status=unresolved`,
    ]) {
      const got = (await call('GET', `/cases?${query}&counts=true&limit=100`)).json()
      const expected = { '0_24h': 0, '24_72h': 0, '72h_plus': 0 }
      for (const c of got.data as { created_at: string }[]) expected[bucketOf(c.created_at)]++
      expect([query, got.counts]).toEqual([query, expected])
    }
    expect((await call('GET', `/cases?tag=${a}&counts=true`)).json().counts).toEqual({
      '0_24h': 3,
      '24_72h': 1,
      '72h_plus': 0,
    })
    expect((await call('GET', `/cases?tag=${a}&counts=true`, undefined, other.keys.admin)).json().counts).toEqual({
      '0_24h': 0,
      '24_72h': 0,
      '72h_plus': 0,
    })
    // The index holds exactly the cases' tags, with their status and creation time.
    const index = await env.ctx.db
      .selectFrom('case_tags')
      .select(['case_id', 'tag', 'status', 'created_at'])
      .where('merchant_id', '=', m.id)
      .orderBy('case_id')
      .orderBy('tag')
      .execute()
    const cases = await env.ctx.db
      .selectFrom('cases')
      .select(['id', 'tags', 'status', 'created_at'])
      .where('merchant_id', '=', m.id)
      .execute()
    const truth = cases
      .flatMap((c) => c.tags.map((tag) => ({ case_id: c.id, tag, status: c.status, created_at: c.created_at })))
      .sort((x, y) => (x.case_id === y.case_id ? x.tag.localeCompare(y.tag) : x.case_id < y.case_id ? -1 : 1))
    expect(index).toEqual(truth)
  })

  it('searches each case as one document of its subject and timeline, ranking the newest matches', async () => {
    const word = `zq${Date.now().toString(36)}`
    const older = await open({ case_type: 'other', subject: `Parcel ${word} crushed` })
    const newer = await open({ case_type: 'other', subject: 'Parcel crushed' })
    await call('POST', `/cases/${newer.id}/notes`, { body: `Driver says ${word} was already damaged` })
    await call('POST', `/cases/${newer.id}/notes`, { body: 'Photos requested' })
    const ranked = (await call('GET', `/cases?q=${word}&sort=relevance`)).json()
    // The subject weighs more than a note.
    expect(ranked.data.map((c: { id: string }) => c.id)).toEqual([older.id, newer.id])
    const both = (await call('GET', `/cases?q=${encodeURIComponent(`${word} photos`)}`)).json()
    expect(both.data.map((c: { id: string }) => c.id)).toEqual([newer.id])
    expect((await call('GET', `/cases?q=${word}`, undefined, other.keys.admin)).json().data).toEqual([])
  })

  it('counts open cases by type and age bucket, and new cases per local day by carrier, for the dashboard', async () => {
    const fresh = await createTestMerchant(env.ctx)
    const post = (body: Record<string, unknown>) => call('POST', '/cases', body, fresh.keys.admin)
    await post({ case_type: 'damaged', subject: 'A' })
    const b = (await post({ case_type: 'damaged', subject: 'B' })).json()
    await env.ctx.db.updateTable('cases').set({ carrier_code: 'dpd' }).where('id', '=', b.id).execute()
    const old = (await post({ case_type: 'lost_parcel', subject: 'C' })).json()
    const done = (await post({ case_type: 'lost_parcel', subject: 'D' })).json()
    await call(
      'POST',
      `/cases/${done.id}/status`,
      { status: 'resolved', resolution_code: 'refunded' },
      fresh.keys.admin,
    )
    await env.ctx.db
      .updateTable('cases')
      .set({ created_at: new Date(Date.now() - 30 * 3_600_000) })
      .where('id', '=', old.id)
      .execute()
    const res = await call('GET', '/cases/stats?days=7', undefined, fresh.keys.admin)
    expect(res.statusCode, res.body).toBe(200)
    const stats = res.json()
    expect(stats.open_by_type).toEqual([
      { case_type: 'damaged', '0_24h': 2, '24_72h': 0, '72h_plus': 0 },
      { case_type: 'lost_parcel', '0_24h': 0, '24_72h': 1, '72h_plus': 0 },
    ])
    const perCarrier = Object.fromEntries(
      ['dpd', null].map((c) => [
        String(c),
        stats.new_by_day
          .filter((d: { carrier: string | null }) => d.carrier === c)
          .reduce((n: number, d: { count: number }) => n + d.count, 0),
      ]),
    )
    expect(perCarrier).toEqual({ dpd: 1, null: 3 })
    expect(stats.new_by_day.every((d: { day: string }) => /^\d{4}-\d{2}-\d{2}$/.test(d.day))).toBe(true)
    expect((await call('GET', '/cases/stats?days=0', undefined, fresh.keys.admin)).statusCode).toBe(400)
  })

  it('archives a case type with cases instead of deleting it; archived types open no new cases', async () => {
    await open({ case_type: 'return_dispute', subject: 'Returned worn shoes' })
    const del = await app.inject({
      method: 'DELETE',
      url: '/api/v1/case-types/return_dispute',
      headers: bearer(m.keys.admin),
    })
    expectError(del, 409, 'case_type_in_use', { case_type: 'return_dispute', cases: 1 })
    expect((await call('PATCH', '/case-types/return_dispute', { archived: true })).json().archived_at).not.toBeNull()
    const refused = await call('POST', '/cases', { case_type: 'return_dispute' })
    expectError(refused, 422, 'case_type_archived', { case_type: 'return_dispute' })
    expect((await call('PATCH', '/case-types/return_dispute', { archived: false })).json().archived_at).toBeNull()
  })
})

describe('the case state machine', () => {
  const action = fc.oneof(
    fc.record({
      kind: fc.constant('status' as const),
      status: fc.constantFrom(...caseStatuses),
      code: fc.option(fc.constantFrom(...resolutionCodes), { nil: undefined }),
    }),
    fc.record({ kind: fc.constant('reopen' as const) }),
    fc.record({ kind: fc.constant('note' as const) }),
  )

  it('never reaches an illegal state, and every accepted change writes audit and timeline in its transaction while refusals write nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 10 }), async (actions) => {
        const c = await open({ case_type: 'other', subject: 'Property case' })
        let status = c.status as (typeof caseStatuses)[number]
        for (const a of actions) {
          const [audits, entries] = [await auditCount(c.id), await timelineCount(c.id)]
          const res =
            a.kind === 'status'
              ? await call('POST', `/cases/${c.id}/status`, {
                  status: a.status,
                  ...(a.code ? { resolution_code: a.code } : {}),
                })
              : a.kind === 'reopen'
                ? await call('POST', `/cases/${c.id}/reopen`, {})
                : await call('POST', `/cases/${c.id}/notes`, { body: 'note' })
          const now = (await call('GET', `/cases/${c.id}`)).json()
          if (res.statusCode >= 400) {
            expect(res.statusCode).toBeGreaterThanOrEqual(409)
            expect([now.status, await auditCount(c.id), await timelineCount(c.id)]).toEqual([status, audits, entries])
            continue
          }
          if (a.kind === 'status' && a.status !== status) expect(transitions[status]).toContain(a.status)
          // A note changes no column of the case: a timeline entry, and no case audit entry (nor case.updated).
          if (now.status !== status) expect(await auditCount(c.id)).toBeGreaterThan(audits)
          else expect(await auditCount(c.id)).toBe(audits)
          if (now.status !== status || a.kind === 'note') expect(await timelineCount(c.id)).toBeGreaterThan(entries)
          expect(now.status === 'resolved' || now.status === 'closed').toBe(now.resolution_code !== null)
          expect(now.status !== 'new' || now.first_acted_at === null).toBe(true)
          status = now.status
        }
      }),
      { numRuns: 15 },
    )
  })
})
