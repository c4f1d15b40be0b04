import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { bearer, createTestMerchant, startTestApp } from '../../test/harness.js'
import { systemContext } from '../auth/actor.js'
import { runImport, type ImportInput } from './service.js'

const now = new Date('2025-03-01T12:00:00Z')

const { env, app, m } = await startTestApp()

const jsonl = (...records: unknown[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`
const importText = (text: string, opts: Partial<ImportInput> & { source: string }, merchantId = m.id) =>
  runImport(
    env.ctx.db,
    systemContext(merchantId),
    { type: 'cases', format: 'jsonl', input: Readable.from([text]), ...opts },
    now,
  )

const db = () => env.ctx.db
const caseOf = (source: string, externalId: string) =>
  db()
    .selectFrom('cases')
    .selectAll()
    .where('merchant_id', '=', m.id)
    .where('source', '=', source)
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow()
const timelineOf = (caseId: string) =>
  db()
    .selectFrom('case_timeline')
    .select(['type', 'occurred_at', 'actor_type', 'actor_id', 'data', 'text'])
    .where('case_id', '=', caseId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute()
const count = async (table: 'cases' | 'case_timeline' | 'case_links' | 'audit_entries') =>
  Number(
    (
      await db()
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('merchant_id', '=', m.id)
        .executeTakeFirstOrThrow()
    ).n,
  )
const events = (type: string) =>
  db().selectFrom('outbox').selectAll().where('merchant_id', '=', m.id).where('type', '=', type).execute()
const lastNumber = async () =>
  (await db().selectFrom('case_counters').select('last_number').where('merchant_id', '=', m.id).executeTakeFirst())
    ?.last_number

const order = {
  external_id: 'O1',
  order_number: '#1001',
  currency: 'GBP',
  placed_at: '2024-10-30T10:00:00Z',
  total_amount_minor: 2500,
  customer: { external_id: 'c-1', name: 'Ada Lovelace', email: 'ada@example.com' },
  lines: [{ sku: 'MUG', name: 'Mug', quantity: 1, unit_price_amount_minor: 2500 }],
}

const lost = {
  external_id: 'H1',
  type: 'lost_parcel',
  opened_at: '2024-11-01T09:00:00+01:00',
  first_response_at: '2024-11-01T10:00:00Z',
  resolved_at: '2024-11-03T12:00:00Z',
  closed_at: '2024-11-04T08:00:00Z',
  outcome: 'reshipped',
  root_cause: 'carrier',
  fault_party: 'Royal Mail depot',
  carrier: 'royal_mail',
  tracking_number: 'RM1GB',
  product_sku: 'MUG',
  product_category: 'kitchen',
  fulfilment_centre: 'LHR1',
  value_amount_minor: 2500,
  value_currency: 'GBP',
  tags: ['vip', 'reship'],
  order_external_id: 'O1',
  resolution_note: 'Sent a new mug',
}
const damaged = {
  external_id: 'H2',
  type: 'damaged',
  opened_at: '2024-12-01T09:00:00Z',
  subject: 'Broken mug',
  priority: 'urgent',
  channel: 'email',
  customer_external_id: 'c-1',
}
const unlinked = {
  external_id: 'H7',
  type: 'other',
  opened_at: '2024-12-02T09:00:00Z',
  resolved_at: '2024-12-02T17:30:00Z',
  outcome: 'no_action',
  order_external_id: 'O-LATER',
  carrier: 'Hermes UK',
}

describe('importing historical cases from JSON lines', () => {
  const file = jsonl(
    lost,
    damaged,
    { external_id: 'B3', type: 'teleported', opened_at: '2024-11-01T09:00:00Z' },
    { external_id: 'B4', type: 'damaged', opened_at: '2024-11-01T09:00:00Z', resolved_at: '2024-11-02T09:00:00Z' },
    {
      external_id: 'B5',
      type: 'damaged',
      opened_at: '2024-11-05T09:00:00Z',
      resolved_at: '2024-11-02T09:00:00Z',
      outcome: 'refunded',
    },
    {
      external_id: 'B6',
      type: 'damaged',
      opened_at: '2024-11-01T09:00:00Z',
      value_amount_minor: 100,
      value_currency: 'XXQ',
    },
    unlinked,
  )

  it('lands the good rows dated by the source, numbered and linked, and reports the bad ones by line and field', async () => {
    expect(await importText(jsonl(order), { source: 'shop', type: 'orders' })).toMatchObject({ imported: 1, failed: 0 })
    const result = await importText(file, { source: 'shop' })
    expect(result).toEqual({
      imported: 3,
      updated: 0,
      unchanged: 0,
      failed: 4,
      unlinked: 1,
      rows: 7,
      errors_truncated: false,
      errors: [
        {
          line: 3,
          field: 'type',
          message: expect.stringMatching(/^teleported is not a case type of this workspace \(.*\blost_parcel\b.*\)$/),
        },
        { line: 4, field: 'outcome', message: 'is required for a closed case' },
        { line: 5, field: 'resolved_at', message: 'must not be before opened_at' },
        { line: 6, field: 'value_currency', message: 'XXQ is not a known ISO 4217 currency' },
      ],
    })
    const o1 = await db()
      .selectFrom('orders')
      .selectAll()
      .where('merchant_id', '=', m.id)
      .where('external_id', '=', 'O1')
      .executeTakeFirstOrThrow()

    const h1 = await caseOf('shop', 'H1')
    expect(h1).toMatchObject({
      number: 1001,
      type_key: 'lost_parcel',
      subject: 'Lost Parcel RM1GB',
      status: 'closed',
      priority: 'high',
      channel: 'import',
      sla_tier: 'standard',
      order_id: o1.id,
      customer_id: o1.customer_id,
      carrier_code: 'royal_mail',
      carrier_name: 'Royal Mail',
      tracking_number: 'RM1GB',
      product_sku: 'MUG',
      product_category: 'kitchen',
      fulfilment_centre: 'LHR1',
      value_amount_minor: 2500,
      value_currency: 'GBP',
      tags: ['reship', 'vip'],
      resolution_code: 'reshipped',
      resolution_note: 'Sent a new mug',
      root_cause: 'carrier',
      fault_party: 'Royal Mail depot',
      created_at: new Date('2024-11-01T08:00:00Z'),
      first_acted_at: new Date('2024-11-01T10:00:00Z'),
      resolved_at: new Date('2024-11-03T12:00:00Z'),
      closed_at: new Date('2024-11-04T08:00:00Z'),
      updated_at: new Date('2024-11-04T08:00:00Z'),
      assignee_id: null,
      team_id: null,
    })
    const links = await db()
      .selectFrom('case_links')
      .select(['entity_type', 'entity_id', 'summary'])
      .where('case_id', '=', h1.id)
      .orderBy('entity_type')
      .execute()
    expect(links).toEqual([
      {
        entity_type: 'customer',
        entity_id: o1.customer_id,
        summary: { name: 'Ada Lovelace', email: 'ada@example.com', segment: 'retail' },
      },
      {
        entity_type: 'order',
        entity_id: o1.id,
        summary: {
          external_id: 'O1',
          order_number: '#1001',
          status: 'open',
          placed_at: '2024-10-30T10:00:00.000Z',
          total: { amount_minor: 2500, currency: 'GBP' },
          lines: [{ sku: 'MUG', name: 'Mug', quantity: 1 }],
          payments: [],
        },
      },
    ])
    expect(await timelineOf(h1.id)).toEqual([
      {
        type: 'imported',
        occurred_at: new Date('2024-11-01T08:00:00Z'),
        actor_type: 'system',
        actor_id: null,
        text: 'Lost Parcel RM1GB',
        data: { source: 'shop', external_id: 'H1', case_type: 'lost_parcel', channel: 'import', status: 'closed' },
      },
      {
        type: 'status_changed',
        occurred_at: new Date('2024-11-03T12:00:00Z'),
        actor_type: 'system',
        actor_id: null,
        text: 'Resolved: reshipped Sent a new mug',
        data: {
          from: 'open',
          to: 'resolved',
          resolution_code: 'reshipped',
          root_cause: 'carrier',
          resolution_note: 'Sent a new mug',
          reason: null,
        },
      },
      {
        type: 'status_changed',
        occurred_at: new Date('2024-11-04T08:00:00Z'),
        actor_type: 'system',
        actor_id: null,
        text: 'Status closed',
        data: { from: 'resolved', to: 'closed', resolution_code: null, reason: null },
      },
    ])

    const h2 = await caseOf('shop', 'H2')
    expect(h2).toMatchObject({
      number: 1002,
      subject: 'Broken mug',
      status: 'open',
      priority: 'urgent',
      channel: 'email',
      customer_id: o1.customer_id,
      order_id: null,
      resolution_code: null,
      resolved_at: null,
      closed_at: null,
      created_at: new Date('2024-12-01T09:00:00Z'),
      first_acted_at: new Date('2024-12-01T09:00:00Z'),
    })
    expect((await timelineOf(h2.id)).map((e) => e.type)).toEqual(['imported'])

    // Closed when the source says it was resolved; an order that was not imported leaves the case unlinked; a name the
    // carrier table knows gets its code.
    const h7 = await caseOf('shop', 'H7')
    expect(h7).toMatchObject({
      number: 1003,
      subject: 'Other',
      status: 'closed',
      resolution_code: 'no_action',
      order_id: null,
      customer_id: null,
      carrier_code: 'evri',
      carrier_name: 'Evri',
      resolved_at: new Date('2024-12-02T17:30:00Z'),
      closed_at: new Date('2024-12-02T17:30:00Z'),
    })
    expect(await db().selectFrom('case_links').select('entity_type').where('case_id', '=', h7.id).execute()).toEqual([])

    const audit = await db()
      .selectFrom('audit_entries')
      .selectAll()
      .where('merchant_id', '=', m.id)
      .where('entity_type', '=', 'case')
      .orderBy('id')
      .execute()
    expect(audit.map((a) => [a.action, a.entity_id])).toEqual([
      ['case.imported', h1.id],
      ['case.imported', h2.id],
      ['case.imported', h7.id],
    ])
    expect(audit[0]!.request_id).toMatch(/^import:/)
    expect(audit[0]!.changes).toMatchObject({
      number: { from: null, to: 'CD-1001' },
      external_id: { from: null, to: 'H1' },
      resolved_at: { from: null, to: '2024-11-03T12:00:00.000Z' },
    })

    // History sets off no automation: no case.opened (nor any other case event), one import.completed.
    const outbox = await db()
      .selectFrom('outbox')
      .select('type')
      .where('merchant_id', '=', m.id)
      .where('type', 'like', 'case.%')
      .execute()
    expect(outbox).toEqual([])
    const done = await events('import.completed')
    expect(done.map((e) => e.data)).toEqual([
      {
        record_type: 'orders',
        format: 'jsonl',
        source: 'shop',
        rows: 1,
        imported: 1,
        updated: 0,
        unchanged: 0,
        failed: 0,
      },
      {
        record_type: 'cases',
        format: 'jsonl',
        source: 'shop',
        rows: 7,
        imported: 3,
        updated: 0,
        unchanged: 0,
        failed: 4,
        unlinked: 1,
      },
    ])
  })

  it('changes nothing when the same file is imported again, not even the case counter (idempotent by source and external id)', async () => {
    const before = await Promise.all([
      count('cases'),
      count('case_timeline'),
      count('case_links'),
      count('audit_entries'),
      lastNumber(),
    ])
    const again = await importText(file, { source: 'shop' })
    expect(again).toMatchObject({ imported: 0, updated: 0, unchanged: 3, failed: 4, unlinked: 1 })
    expect(
      await Promise.all([
        count('cases'),
        count('case_timeline'),
        count('case_links'),
        count('audit_entries'),
        lastNumber(),
      ]),
    ).toEqual(before)
  })

  it('updates a changed record in place: its fields, its milestones on the timeline, and a link to an order imported since', async () => {
    await importText(jsonl({ ...order, external_id: 'O-LATER', order_number: '#1002', customer: null }), {
      source: 'shop',
      type: 'orders',
    })
    const audits = await count('audit_entries')
    const resolved = {
      ...damaged,
      status: 'resolved',
      resolved_at: '2024-12-03T09:00:00Z',
      outcome: 'refunded',
      tags: 'photo-sent damaged',
    }
    const result = await importText(jsonl(lost, resolved, unlinked), { source: 'shop' })
    expect(result).toMatchObject({ imported: 0, updated: 2, unchanged: 1, failed: 0, unlinked: 0 })
    expect(await count('audit_entries')).toBe(audits + 2)

    const h2 = await caseOf('shop', 'H2')
    expect(h2).toMatchObject({
      number: 1002,
      status: 'resolved',
      resolution_code: 'refunded',
      resolved_at: new Date('2024-12-03T09:00:00Z'),
      closed_at: null,
      tags: ['damaged', 'photo-sent'],
      updated_at: new Date('2024-12-03T09:00:00Z'),
    })
    expect((await timelineOf(h2.id)).map((e) => [e.type, e.occurred_at.toISOString()])).toEqual([
      ['imported', '2024-12-01T09:00:00.000Z'],
      ['status_changed', '2024-12-03T09:00:00.000Z'],
    ])
    const update = await db()
      .selectFrom('audit_entries')
      .selectAll()
      .where('entity_id', '=', h2.id)
      .where('action', '=', 'case.updated')
      .executeTakeFirstOrThrow()
    expect(update.changes).toMatchObject({
      status: { from: 'open', to: 'resolved' },
      resolution_code: { from: null, to: 'refunded' },
    })

    const later = await db()
      .selectFrom('orders')
      .select('id')
      .where('merchant_id', '=', m.id)
      .where('external_id', '=', 'O-LATER')
      .executeTakeFirstOrThrow()
    const h7 = await caseOf('shop', 'H7')
    expect(h7.order_id).toBe(later.id)
    expect(
      await db().selectFrom('case_links').select(['entity_type', 'entity_id']).where('case_id', '=', h7.id).execute(),
    ).toEqual([{ entity_type: 'order', entity_id: later.id }])
    expect((await timelineOf(h7.id)).map((e) => e.type)).toEqual(['imported', 'status_changed', 'status_changed'])
  })

  it('refuses the times and statuses that contradict each other, each by its field', async () => {
    const bad = jsonl(
      {
        external_id: 'T1',
        type: 'other',
        opened_at: '2024-11-01T09:00:00Z',
        status: 'open',
        outcome: 'refunded',
        resolved_at: '2024-11-02T09:00:00Z',
      },
      {
        external_id: 'T2',
        type: 'other',
        opened_at: '2024-11-01T09:00:00Z',
        status: 'resolved',
        outcome: 'refunded',
        resolved_at: '2024-11-02T09:00:00Z',
        closed_at: '2024-11-03T09:00:00Z',
      },
      {
        external_id: 'T3',
        type: 'other',
        opened_at: '2024-11-01T09:00:00Z',
        resolved_at: '2024-11-03T09:00:00Z',
        closed_at: '2024-11-02T09:00:00Z',
        outcome: 'refunded',
      },
      {
        external_id: 'T4',
        type: 'other',
        opened_at: '2024-11-01T09:00',
        status: 'closed',
        outcome: 'fixed',
        tags: ['ok', 'not ok'],
      },
      {
        external_id: 'T5',
        type: 'other',
        opened_at: '2024-11-01T09:00:00Z',
        first_response_at: '2024-10-01T09:00:00Z',
        value_amount_minor: 100,
      },
    )
    const result = await importText(bad, { source: 'contradictions' })
    expect(result).toMatchObject({ imported: 0, failed: 5 })
    expect(result.errors).toEqual([
      { line: 1, field: 'outcome', message: 'is only for a resolved or closed case; status is open' },
      { line: 1, field: 'resolved_at', message: 'is only for a resolved or closed case; status is open' },
      { line: 2, field: 'closed_at', message: 'is only for a closed case; status is resolved' },
      { line: 3, field: 'closed_at', message: 'must not be before resolved_at' },
      { line: 4, field: 'opened_at', message: 'must be an ISO 8601 instant with an offset, e.g. 2024-05-01T10:00:00Z' },
      { line: 4, field: 'resolved_at', message: 'is required for a closed case' },
      {
        line: 4,
        field: 'outcome',
        message:
          'must be one of refunded, reshipped, carrier_credited, replaced, repaired, no_action, rejected, duplicate',
      },
      { line: 4, field: 'tags', message: '"not ok" is not a tag: at most 50 characters, no spaces or commas' },
      { line: 5, field: 'first_response_at', message: 'must not be before opened_at' },
      { line: 5, field: 'value_currency', message: 'value needs both an amount and a currency' },
    ])
  })
})

describe('imports at the same time, and cases worked since', () => {
  it('writes each case once when two imports of one file run at once (unique source key; the loser retries record by record)', async () => {
    const file = jsonl(
      ...Array.from({ length: 20 }, (_, i) => ({
        external_id: `R${i}`,
        type: 'other',
        opened_at: '2024-01-01T00:00:00Z',
      })),
    )
    const counter = (await lastNumber()) ?? 1000
    const [a, b] = await Promise.all([importText(file, { source: 'race' }), importText(file, { source: 'race' })])
    expect([a.imported + b.imported, a.unchanged + b.unchanged, a.failed + b.failed]).toEqual([20, 20, 0])
    const rows = await db()
      .selectFrom('cases')
      .select('number')
      .where('merchant_id', '=', m.id)
      .where('source', '=', 'race')
      .orderBy('number')
      .execute()
    expect(rows.map((r) => r.number)).toEqual(Array.from({ length: 20 }, (_, i) => counter + 1 + i))
    expect(await lastNumber()).toBe(counter + 20)
  })

  it('leaves a case merged into another as the merge left it', async () => {
    const file = jsonl(
      { external_id: 'M1', type: 'other', opened_at: '2024-01-01T00:00:00Z', subject: 'Where is my parcel?' },
      { external_id: 'M2', type: 'other', opened_at: '2024-01-02T00:00:00Z', subject: 'Where is my parcel, again?' },
    )
    expect(await importText(file, { source: 'merge' })).toMatchObject({ imported: 2 })
    const [m1, m2] = [await caseOf('merge', 'M1'), await caseOf('merge', 'M2')]
    const merged = await app.inject({
      method: 'POST',
      url: `/api/v1/cases/${m1.id}/merge`,
      headers: bearer(m.keys.admin),
      payload: { duplicate_ids: [m2.id] },
    })
    expect(merged.statusCode).toBe(200)
    const after = await caseOf('merge', 'M2')
    expect(await importText(file, { source: 'merge' })).toMatchObject({
      imported: 0,
      updated: 0,
      unchanged: 2,
      failed: 0,
    })
    expect(await caseOf('merge', 'M2')).toEqual(after)
    expect(after).toMatchObject({ merged_into_id: m1.id, status: 'closed', resolution_code: 'duplicate' })
  })
})

describe('importing historical cases from CSV', () => {
  it('reads the same fields as columns, tags separated by commas or spaces, and reports bad rows by their line', async () => {
    const csv = [
      'external_id,type,opened_at,resolved_at,outcome,carrier,tracking_number,subject,tags,value_amount_minor,value_currency',
      'C1,late_delivery,2024-09-01T10:00:00Z,2024-09-02T10:00:00Z,carrier_credited,dpd,DPD1,,"late,dpd",,', // line 2
      'C2,teleported,2024-09-01T10:00:00Z,,,,,,,,', // line 3: unknown type
      'C3,damaged,2024-09-05T10:00:00Z,2024-09-04T10:00:00Z,refunded,,,"Mug, chipped",,,', // line 4: resolved before opened
      'C4,damaged,2024-09-06T10:00:00Z,2024-09-07T10:00:00Z,,,,,,,', // line 5: no outcome
      'C5,wrong_item,2024-09-08T10:00:00Z,,,,,"Sent ""Tea"" not ""Coffee""",swap,1999,EUR', // line 6
      'C6,other,2024-09-08T10:00:00Z,,,,,,,500,ABC', // line 7: unknown currency
    ].join('\r\n')
    const result = await importText(csv, { source: 'helpdesk-csv', format: 'csv' })
    expect(result).toEqual({
      imported: 2,
      updated: 0,
      unchanged: 0,
      failed: 4,
      unlinked: 0,
      rows: 6,
      errors_truncated: false,
      errors: [
        { line: 3, field: 'type', message: expect.stringContaining('teleported is not a case type of this workspace') },
        { line: 4, field: 'resolved_at', message: 'must not be before opened_at' },
        { line: 5, field: 'outcome', message: 'is required for a closed case' },
        { line: 7, field: 'value_currency', message: 'ABC is not a known ISO 4217 currency' },
      ],
    })
    expect(await caseOf('helpdesk-csv', 'C1')).toMatchObject({
      subject: 'Late Delivery DPD1',
      status: 'closed',
      carrier_code: 'dpd',
      tags: ['dpd', 'late'],
      created_at: new Date('2024-09-01T10:00:00Z'),
      resolved_at: new Date('2024-09-02T10:00:00Z'),
      closed_at: new Date('2024-09-02T10:00:00Z'),
    })
    expect(await caseOf('helpdesk-csv', 'C5')).toMatchObject({
      subject: 'Sent "Tea" not "Coffee"',
      status: 'open',
      tags: ['swap'],
      value_amount_minor: 1999,
      value_currency: 'EUR',
    })
    expect(await importText(csv, { source: 'helpdesk-csv', format: 'csv' })).toMatchObject({
      imported: 0,
      updated: 0,
      unchanged: 2,
      failed: 4,
    })
  })
})

describe('POST /imports?type=cases', () => {
  it('imports history that the case list finds by status, type and carrier, dated when it was opened', async () => {
    const other = await createTestMerchant(env.ctx)
    const headers = { ...bearer(other.keys.manager), 'content-type': 'application/x-ndjson' }
    const payload = jsonl(
      {
        external_id: 'A1',
        type: 'lost_parcel',
        opened_at: '2023-05-01T10:00:00Z',
        resolved_at: '2023-05-04T10:00:00Z',
        outcome: 'refunded',
        carrier: 'royal_mail',
      },
      {
        external_id: 'A2',
        type: 'lost_parcel',
        opened_at: '2023-06-01T10:00:00Z',
        resolved_at: '2023-06-02T10:00:00Z',
        outcome: 'reshipped',
        carrier: 'dpd',
      },
      {
        external_id: 'A3',
        type: 'damaged',
        opened_at: '2023-07-01T10:00:00Z',
        resolved_at: '2023-07-01T12:00:00Z',
        outcome: 'replaced',
        carrier: 'royal_mail',
      },
      { external_id: 'A4', type: 'lost_parcel', opened_at: '2023-08-01T10:00:00Z' },
    )
    const res = await app.inject({ method: 'POST', url: '/api/v1/imports?type=cases&source=gorgias', headers, payload })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      imported: 4,
      updated: 0,
      unchanged: 0,
      failed: 0,
      unlinked: 0,
      errors: [],
      errors_truncated: false,
    })

    const list = async (query: string) => {
      const r = await app.inject({ method: 'GET', url: `/api/v1/cases?${query}`, headers: bearer(other.keys.manager) })
      expect(r.statusCode).toBe(200)
      return r.json().data as {
        number: string
        created_at: string
        resolved_at: string
        source: string
        status: string
      }[]
    }
    const closedLost = await list('status=closed&case_type=lost_parcel')
    expect(closedLost.map((c) => [c.number, c.status, c.source, c.created_at, c.resolved_at])).toEqual([
      ['CD-1002', 'closed', 'gorgias', '2023-06-01T10:00:00.000Z', '2023-06-02T10:00:00.000Z'],
      ['CD-1001', 'closed', 'gorgias', '2023-05-01T10:00:00.000Z', '2023-05-04T10:00:00.000Z'],
    ])
    expect((await list('carrier=royal_mail&sort=created_asc')).map((c) => c.number)).toEqual(['CD-1001', 'CD-1003'])
    expect((await list('status=unresolved')).map((c) => [c.number, c.created_at])).toEqual([
      ['CD-1004', '2023-08-01T10:00:00.000Z'],
    ])
    expect(
      (await list('created_from=2023-06-15T00:00:00Z&created_to=2023-07-15T00:00:00Z')).map((c) => c.number),
    ).toEqual(['CD-1003'])
    const outbox = await db().selectFrom('outbox').select('type').where('merchant_id', '=', other.id).execute()
    expect(outbox.map((e) => e.type)).toEqual(['import.completed'])
  })

  it('imports only closed history of an archived type', async () => {
    const headers = { ...bearer(m.keys.admin), 'content-type': 'application/x-ndjson' }
    const archived = await app.inject({
      method: 'PATCH',
      url: '/api/v1/case-types/customs_hold',
      headers: bearer(m.keys.admin),
      payload: { archived: true },
    })
    expect(archived.statusCode).toBe(200)
    const payload = jsonl(
      {
        external_id: 'X1',
        type: 'customs_hold',
        opened_at: '2023-05-01T10:00:00Z',
        resolved_at: '2023-05-04T10:00:00Z',
        outcome: 'refunded',
      },
      { external_id: 'X2', type: 'customs_hold', opened_at: '2023-05-01T10:00:00Z' },
    )
    const res = await app.inject({ method: 'POST', url: '/api/v1/imports?type=cases&source=archive', headers, payload })
    expect(res.json()).toEqual({
      imported: 1,
      updated: 0,
      unchanged: 0,
      failed: 1,
      unlinked: 0,
      errors_truncated: false,
      errors: [
        {
          line: 2,
          field: 'type',
          message: 'customs_hold is archived: only resolved or closed cases of it can be imported',
        },
      ],
    })
  })
})
