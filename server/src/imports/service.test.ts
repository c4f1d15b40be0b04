import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createTestMerchant, startTestEnv } from '../../test/harness.js'
import { systemContext } from '../auth/actor.js'
import { runImport, type ImportInput } from './service.js'

const now = new Date('2025-03-01T12:00:00Z')

const env = await startTestEnv()
const m = await createTestMerchant(env.ctx)

function importText(text: string, opts: Partial<ImportInput> & { source: string }) {
  return runImport(
    env.ctx.db,
    systemContext(m.id),
    { type: 'orders', format: 'jsonl', input: Readable.from([text]), ...opts },
    now,
  )
}

const order = (id: string, extra: Record<string, unknown> = {}) => ({
  external_id: id,
  order_number: `#${id}`,
  currency: 'EUR',
  placed_at: '2025-02-01T10:00:00Z',
  total_amount_minor: 2500,
  shipping_country: 'de',
  customer: { external_id: 'cust-1', name: 'Ada Lovelace', email: 'ada@example.com', phone: '+44 7700 900123' },
  lines: [
    {
      sku: 'MUG',
      name: 'Mug',
      category: 'kitchen',
      quantity: 2,
      unit_price_amount_minor: 1000,
      tax_amount_minor: 190,
      fulfilment_centre: 'FC1',
    },
    { sku: 'TEA', name: 'Tea', quantity: 1, unit_price_amount_minor: 500 },
  ],
  payments: [{ provider: 'stripe', reference: `pi_${id}`, captured_amount_minor: 2500 }],
  ...extra,
})
const jsonl = (...records: unknown[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`

async function count(table: 'orders' | 'order_lines' | 'payments' | 'customers' | 'audit_entries') {
  const q = env.ctx.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('merchant_id', '=', m.id)
  return Number((await q.executeTakeFirstOrThrow()).n)
}
const auditCount = async () => {
  const q = env.ctx.db
    .selectFrom('audit_entries')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('merchant_id', '=', m.id)
    .where('entity_type', 'in', ['order', 'customer'])
  return Number((await q.executeTakeFirstOrThrow()).n)
}
const events = async (type: string) =>
  await env.ctx.db.selectFrom('outbox').selectAll().where('merchant_id', '=', m.id).where('type', '=', type).execute()

describe('JSON lines', () => {
  it('imports orders with their customer, lines and payments, one audit entry per record and one event per import', async () => {
    const result = await importText(
      jsonl(order('J1'), order('J2', { customer: { external_id: 'cust-2', email: 'bob@example.com' } }), order('J3')),
      { source: 'jsonl' },
    )
    expect(result).toEqual({
      imported: 3,
      updated: 0,
      unchanged: 0,
      failed: 0,
      rows: 3,
      errors: [],
      errors_truncated: false,
    })
    const orders = await env.ctx.db
      .selectFrom('orders')
      .selectAll()
      .where('merchant_id', '=', m.id)
      .where('source', '=', 'jsonl')
      .orderBy('external_id')
      .execute()
    expect(
      orders.map((o) => [o.external_id, o.currency, o.total_amount_minor, o.subtotal_amount_minor, o.shipping_country]),
    ).toEqual([
      ['J1', 'EUR', 2500, 2500, 'DE'],
      ['J2', 'EUR', 2500, 2500, 'DE'],
      ['J3', 'EUR', 2500, 2500, 'DE'],
    ])
    expect(orders[0]!.customer_id).toBe(orders[2]!.customer_id)
    expect(orders[1]!.customer_id).not.toBe(orders[0]!.customer_id)
    const lines = await env.ctx.db
      .selectFrom('order_lines')
      .selectAll()
      .where('order_id', '=', orders[0]!.id)
      .orderBy('position')
      .execute()
    expect(
      lines.map((l) => [
        l.position,
        l.sku,
        l.quantity,
        l.unit_price_amount_minor,
        l.tax_amount_minor,
        l.fulfilment_centre,
      ]),
    ).toEqual([
      [0, 'MUG', 2, 1000, 190, 'FC1'],
      [1, 'TEA', 1, 500, 0, null],
    ])
    const payment = await env.ctx.db
      .selectFrom('payments')
      .selectAll()
      .where('order_id', '=', orders[0]!.id)
      .executeTakeFirstOrThrow()
    expect(payment).toMatchObject({
      provider: 'stripe',
      reference: 'pi_J1',
      currency: 'EUR',
      captured_amount_minor: 2500,
      refunded_amount_minor: 0,
      captured_at: new Date('2025-02-01T10:00:00Z'),
    })
    const customer = await env.ctx.db
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', orders[0]!.customer_id!)
      .executeTakeFirstOrThrow()
    expect(customer).toMatchObject({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: '+447700900123',
      segment: 'retail',
    })

    const entries = await env.ctx.db
      .selectFrom('audit_entries')
      .selectAll()
      .where('merchant_id', '=', m.id)
      .where('request_id', 'like', 'import:%')
      .orderBy('id')
      .execute()
    expect(entries.map((e) => e.action).sort()).toEqual([
      'customer.created',
      'customer.created',
      'order.created',
      'order.created',
      'order.created',
    ])
    const created = entries.find((e) => e.entity_id === customer.id)!
    // Personal fields are hashed, as the customer service records them.
    expect(created.changes.email).toEqual({ from_hash: null, to_hash: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(created.changes.segment).toEqual({ from: null, to: 'retail' })
    const pending = await env.ctx.db
      .selectFrom('audit_pending')
      .select('entry_id')
      .where('merchant_id', '=', m.id)
      .where(
        'entry_id',
        'in',
        entries.map((e) => e.id),
      )
      .execute()
    expect(pending).toHaveLength(5)
    expect(await events('order.created')).toEqual([])
    const done = await events('import.completed')
    expect(done).toHaveLength(1)
    expect(done[0]!.data).toEqual({
      record_type: 'orders',
      format: 'jsonl',
      source: 'jsonl',
      rows: 3,
      imported: 3,
      updated: 0,
      unchanged: 0,
      failed: 0,
    })
  })

  it('changes nothing when the same file is imported again (idempotent by source and external id)', async () => {
    const file = jsonl(order('I1'), order('I2'), order('I3', { customer: null }))
    const first = await importText(file, { source: 'again' })
    expect(first).toMatchObject({ imported: 3, failed: 0 })
    const audits = await auditCount()
    const rows = [await count('orders'), await count('order_lines'), await count('payments'), await count('customers')]
    const second = await importText(file, { source: 'again' })
    expect(second).toEqual({
      imported: 0,
      updated: 0,
      unchanged: 3,
      failed: 0,
      rows: 3,
      errors: [],
      errors_truncated: false,
    })
    expect(await auditCount()).toBe(audits)
    expect([
      await count('orders'),
      await count('order_lines'),
      await count('payments'),
      await count('customers'),
    ]).toEqual(rows)

    const changed = await importText(
      jsonl(order('I1', { total_amount_minor: 2000, lines: [order('x').lines[0]] }), order('I2')),
      { source: 'again' },
    )
    expect(changed).toMatchObject({ imported: 0, updated: 1, unchanged: 1 })
    const i1 = await env.ctx.db
      .selectFrom('orders')
      .selectAll()
      .where('source', '=', 'again')
      .where('external_id', '=', 'I1')
      .executeTakeFirstOrThrow()
    expect(await env.ctx.db.selectFrom('order_lines').select('sku').where('order_id', '=', i1.id).execute()).toEqual([
      { sku: 'MUG' },
    ])
    expect(await auditCount()).toBe(audits + 1)
  })

  it('reports bad lines with their line number and field, and lands the good ones', async () => {
    const file = [
      JSON.stringify(order('B1')),
      '{ not json',
      JSON.stringify(
        order('B2', { currency: 'XXQ', lines: [{ name: 'Mug', quantity: 0, unit_price_amount_minor: 100 }] }),
      ),
      '',
      JSON.stringify(order('B3', { placed_at: '2025-02-01 10:00', customer: { external_id: 'c9', phone: '12345' } })),
      JSON.stringify(order('B4')),
    ].join('\n')
    const result = await importText(file, { source: 'bad' })
    expect(result).toMatchObject({ imported: 2, failed: 3 })
    expect(result.errors).toEqual([
      { line: 2, field: null, message: 'not valid JSON' },
      { line: 3, field: 'currency', message: 'XXQ is not a known ISO 4217 currency' },
      { line: 3, field: 'lines[0].quantity', message: 'must be at least 1' },
      { line: 5, field: 'placed_at', message: 'must be an ISO 8601 instant with an offset, e.g. 2024-05-01T10:00:00Z' },
      { line: 5, field: 'customer.phone', message: 'must be an international number (E.164), e.g. +447700900123' },
    ])
  })
})

describe('CSV', () => {
  const header =
    'order_external_id,order_number,placed_at,currency,total_amount_minor,customer_external_id,customer_name,customer_email,line_sku,line_name,line_quantity,line_unit_price_amount_minor,payment_provider,payment_reference,payment_captured_amount_minor'

  it('imports one order from the rows that share its id, one line per row', async () => {
    const csv = [
      header,
      'C1,#1,2025-02-01T10:00:00Z,USD,3500,cc-1,"Lovelace, Ada",ada@example.com,MUG,Mug,2,1000,stripe,pi_1,3500',
      'C1,,,,,,,,TEA,"Tea ""Earl Grey""",3,500,,,',
      'C2,#2,2025-02-02T10:00:00+01:00,GBP,700,cc-1,,,PEN,Pen,1,700,,,',
    ].join('\r\n')
    const result = await importText(csv, { source: 'csv', format: 'csv' })
    expect(result).toMatchObject({ imported: 2, updated: 0, unchanged: 0, failed: 0, errors: [] })
    const c1 = await env.ctx.db
      .selectFrom('orders')
      .selectAll()
      .where('source', '=', 'csv')
      .where('external_id', '=', 'C1')
      .executeTakeFirstOrThrow()
    expect(c1).toMatchObject({
      order_number: '#1',
      currency: 'USD',
      total_amount_minor: 3500,
      subtotal_amount_minor: 3500,
    })
    const lines = await env.ctx.db
      .selectFrom('order_lines')
      .select(['position', 'name', 'quantity'])
      .where('order_id', '=', c1.id)
      .orderBy('position')
      .execute()
    expect(lines).toEqual([
      { position: 0, name: 'Mug', quantity: 2 },
      { position: 1, name: 'Tea "Earl Grey"', quantity: 3 },
    ])
    expect(await env.ctx.db.selectFrom('payments').select('reference').where('order_id', '=', c1.id).execute()).toEqual(
      [{ reference: 'pi_1' }],
    )
    const c2 = await env.ctx.db
      .selectFrom('orders')
      .selectAll()
      .where('source', '=', 'csv')
      .where('external_id', '=', 'C2')
      .executeTakeFirstOrThrow()
    expect(c2.customer_id).toBe(c1.customer_id)
    expect(c2.placed_at).toEqual(new Date('2025-02-02T09:00:00Z'))
  })

  it('imports the good orders of a CSV with bad rows and reports the bad rows by line', async () => {
    const csv = [
      header,
      'G1,#1,2025-02-01T10:00:00Z,EUR,1000,,,,MUG,Mug,1,1000,,,', // line 2
      'G2,#2,2025-02-01T10:00:00Z,EUR,-5,,,,MUG,Mug,1,1000,,,', // line 3: negative total
      'G3,#3,2025-02-01T10:00:00Z,EUR,1000,,,,MUG,Mug,1,1000,,,', // line 4
      'G3,,,,,,,,TEA,,two,100,,,', // line 5: the second line of G3 is bad, so G3 is refused whole
      ',#4,2025-02-01T10:00:00Z,EUR,1000,,,,MUG,Mug,1,1000,,,', // line 6: no order id
      'G5,#5,2025-02-01T10:00:00Z,EUR,1000,,,,MUG,Mug,1,1000,,,', // line 7
      'G1,#1,2025-02-01T10:00:00Z,EUR,1000,,,,MUG,Mug,1,1000,,,', // line 8: G1 again, not adjacent
    ].join('\n')
    const result = await importText(csv, { source: 'csv-bad', format: 'csv' })
    expect(result).toMatchObject({ imported: 2, updated: 0, unchanged: 0, failed: 4 })
    expect(result.errors).toEqual([
      { line: 3, field: 'total_amount_minor', message: 'must be at least 0' },
      { line: 5, field: 'line_name', message: 'is required' },
      { line: 5, field: 'line_quantity', message: 'must be a whole number (minor units for money)' },
      { line: 6, field: 'order_external_id', message: 'is required' },
      {
        line: 8,
        field: 'order_external_id',
        message: "rows of order G1 must be adjacent; this row follows another order's",
      },
    ])
    const landed = await env.ctx.db
      .selectFrom('orders')
      .select('external_id')
      .where('merchant_id', '=', m.id)
      .where('source', '=', 'csv-bad')
      .orderBy('external_id')
      .execute()
    expect(landed.map((o) => o.external_id)).toEqual(['G1', 'G5'])
  })
})

describe('batches the database refuses', () => {
  it('still lands the other records of a batch when one violates a constraint, and leaves that one as it was', async () => {
    const refunded = order('R1', {
      payments: [{ provider: 'stripe', reference: 'pi_R1', captured_amount_minor: 2500, refunded_amount_minor: 2000 }],
    })
    expect(await importText(jsonl(refunded), { source: 'constraint' })).toMatchObject({ imported: 1 })
    // Capturing less than was already refunded breaks payments' check (refunded ≤ captured); validation cannot see it.
    const shrunk = order('R1', { payments: [{ provider: 'stripe', reference: 'pi_R1', captured_amount_minor: 1000 }] })
    const tooMany = order('R3', { lines: [{ name: 'Crate', quantity: 3_000_000_000, unit_price_amount_minor: 1 }] })
    const result = await importText(jsonl(order('R0'), shrunk, order('R2'), tooMany, order('R4')), {
      source: 'constraint',
    })
    expect(result).toMatchObject({ imported: 3, updated: 0, unchanged: 0, failed: 2 })
    expect(result.errors).toEqual([
      {
        line: 2,
        field: 'payments_check',
        message: expect.stringContaining('the database refused it (payments_check)'),
      },
      { line: 4, field: null, message: expect.stringContaining('out of range') },
    ])
    const payment = await env.ctx.db
      .selectFrom('payments')
      .selectAll()
      .where('merchant_id', '=', m.id)
      .where('reference', '=', 'pi_R1')
      .executeTakeFirstOrThrow()
    expect(payment).toMatchObject({ captured_amount_minor: 2500, refunded_amount_minor: 2000 })
    const landed = await env.ctx.db
      .selectFrom('orders')
      .select('external_id')
      .where('merchant_id', '=', m.id)
      .where('source', '=', 'constraint')
      .orderBy('external_id')
      .execute()
    expect(landed.map((o) => o.external_id)).toEqual(['R0', 'R1', 'R2', 'R4'])
  })
})

describe('customers and shipments', () => {
  it('imports customers from CSV and shipments of imported orders, idempotently', async () => {
    const customers =
      'external_id,name,email,phone,segment\nk1,Kim,kim@example.com,+4915112345678,vip\nk2,,lee@example.com,,\nk3,Bad,,not-a-phone,\n'
    const c = await importText(customers, { source: 'erp', type: 'customers', format: 'csv' })
    expect(c).toMatchObject({
      imported: 2,
      failed: 1,
      errors: [{ line: 4, field: 'phone', message: 'must be an international number (E.164), e.g. +447700900123' }],
    })
    expect(await importText(customers, { source: 'erp', type: 'customers', format: 'csv' })).toMatchObject({
      imported: 0,
      updated: 0,
      unchanged: 2,
      failed: 1,
    })

    await importText(jsonl(order('S-ORDER')), { source: 'erp' })
    const shipments = jsonl(
      {
        external_id: 'sh1',
        order_external_id: 'S-ORDER',
        carrier: 'Royal Mail',
        tracking_number: 'RM1',
        shipped_at: '2025-02-02T08:00:00Z',
        lines: [{ position: 0, quantity: 2 }],
      },
      { external_id: 'sh2', order_external_id: 'NOPE', carrier: 'dhl' },
    )
    const s = await importText(shipments, { source: 'erp', type: 'shipments' })
    expect(s).toMatchObject({
      imported: 1,
      failed: 1,
      errors: [{ line: 2, field: 'order_external_id', message: 'No such order' }],
    })
    const audits = await count('audit_entries')
    expect(await importText(shipments, { source: 'erp', type: 'shipments' })).toMatchObject({
      imported: 0,
      updated: 0,
      unchanged: 1,
      failed: 1,
    })
    expect(await count('audit_entries')).toBe(audits)
    const row = await env.ctx.db
      .selectFrom('shipments')
      .selectAll()
      .where('merchant_id', '=', m.id)
      .where('external_id', '=', 'sh1')
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({ carrier_code: 'royal_mail', status: 'shipped', destination_country: 'DE' })
  })
})
