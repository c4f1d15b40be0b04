import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { recordChange } from '../../changes.js'
import { getCustomer, upsertCustomer } from '../../customers/service.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import { assertCurrencies } from '../../merchants/service.js'
import { advancesClock, isStale, newSourceRecord, writeSourceRecord } from '../../source-records.js'
import * as store from '../store.js'
import type { Order, OrderInput, PaymentInput } from '../types.js'
import { toOrders } from './find-orders.js'
import { lineFields, orderFields, paymentFields, sameOrder, summary } from './order-fields.js'

type Trx = Transaction<Database>

export type OrderUpsert = { order: Order; outcome: 'created' | 'updated' | 'unchanged' | 'stale' }

/** Creates or updates an order by its id at the source; an update older than the stored one is ignored. */
export async function upsertOrder(trx: Trx, ctx: ServiceContext, input: OrderInput, now: Date): Promise<OrderUpsert> {
  const { merchantId } = ctx
  await assertCurrencies(trx, [input.currency])
  const existing = await store.lockOrderByExternalId(trx, merchantId, input.source, input.externalId)
  if (existing && isStale(input.sourceUpdatedAt, existing)) {
    return { order: (await toOrders(trx, merchantId, [existing]))[0]!, outcome: 'stale' }
  }
  let customerId = input.customerId ?? existing?.customer_id ?? null
  if (input.customerId) await getCustomer(trx, merchantId, input.customerId)
  else if (input.customer) {
    customerId = (await upsertCustomer(trx, ctx, { ...input.customer, source: input.source }, now)).customer.id
  }
  const fields = {
    ...orderFields(input, customerId),
    source_updated_at: input.sourceUpdatedAt ?? existing?.source_updated_at ?? null,
    updated_at: now,
  }
  const lines = input.lines.map(lineFields)
  if (existing) {
    // A repeat of what we hold (sources re-send whole orders for any small event) writes, audits and announces nothing.
    const current = (await toOrders(trx, merchantId, [existing]))[0]!
    const payments = (input.payments ?? []).map((p) => paymentFields(p, input, current.payments))
    if (
      sameOrder(
        { order: existing, lines: current.lines, payments: current.payments },
        { order: fields, lines, payments },
      )
    ) {
      if (advancesClock(input.sourceUpdatedAt, existing)) {
        await store.updateOrder(trx, merchantId, existing.id, { source_updated_at: input.sourceUpdatedAt })
      }
      return { order: current, outcome: 'unchanged' }
    }
  }
  const written = await writeSourceRecord(existing, {
    update: (held) => store.updateOrder(trx, merchantId, held.id, fields),
    insert: () => store.insertOrder(trx, { ...newSourceRecord(merchantId, input, now), ...fields }),
  })
  // A concurrent writer inserted it first: this write becomes an update of theirs.
  if (!written) return upsertOrder(trx, ctx, input, now)
  const { row, outcome } = written
  await store.upsertLines(
    trx,
    lines.map((l) => ({ merchant_id: merchantId, order_id: row.id, id: newId(), ...l })),
  )
  await store.deleteSurplusLines(trx, merchantId, [{ order_id: row.id, count: lines.length }])
  // A payment's capture time defaults to when the order was placed, not to when we heard of it.
  for (const p of input.payments ?? [])
    await recordPayment(
      trx,
      merchantId,
      row.id,
      input.currency,
      { ...p, capturedAt: p.capturedAt ?? input.placedAt },
      now,
    )
  const entity = { entityType: 'order', entityId: row.id }
  if (outcome === 'created') {
    const after = { source: input.source, external_id: input.externalId, ...summary(row, input.lines.length) }
    await recordChange(
      trx,
      ctx,
      { ...entity, action: 'order.created', after },
      {
        source: input.source,
        external_id: input.externalId,
        customer_id: customerId,
        total_amount_minor: row.total_amount_minor,
        currency: row.currency,
      },
      now,
    )
  } else {
    await recordChange(
      trx,
      ctx,
      { ...entity, action: 'order.updated', before: summary(existing!, -1), after: summary(row, -1) },
      { source: input.source, status: row.status },
      now,
    )
  }
  return { order: (await toOrders(trx, merchantId, [row]))[0]!, outcome }
}

async function recordPayment(
  trx: Trx,
  merchantId: string,
  orderId: string,
  currency: string,
  p: PaymentInput,
  now: Date,
) {
  if (p.refundedMinor !== undefined && p.refundedMinor > p.capturedMinor) {
    throw new AppError('refund_exceeds_captured', 'A payment cannot have more refunded than it captured', {
      reference: p.reference,
      captured_amount_minor: p.capturedMinor,
      refunded_amount_minor: p.refundedMinor,
    })
  }
  const row = await store.upsertPayment(trx, {
    merchant_id: merchantId,
    id: newId(),
    order_id: orderId,
    provider: p.provider,
    reference: p.reference,
    currency,
    captured_amount_minor: p.capturedMinor,
    captured_at: p.capturedAt ?? null,
    created_at: now,
    updated_at: now,
  })
  // The source's refunded total, when it sends one, is the truth; the table's check still guards it.
  if (p.refundedMinor !== undefined && p.refundedMinor !== row.refunded_amount_minor)
    await store.setRefunded(trx, merchantId, row.id, p.refundedMinor)
}
