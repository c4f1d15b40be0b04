import { ruleContext, systemContext } from '../../auth/actor.js'
import type { AppContext } from '../../context.js'
import { newId } from '../../ids.js'
import type { DomainEvent } from '../../jobs/events.js'
import { upsertOrder } from '../../orders/service.js'
import { upsertShipment } from '../../shipments/service.js'
import { blankFacts as modelBlankFacts } from '../model.js'
import type { ActionArgs, ActionName, ActionOutcome, ActionRun, ActionTarget, Facts } from '../types.js'
import { actionHandlers } from './index.js'

// Fixtures for tests of the actions and the facts: an order with its customer and a shipment, a status change as
// the carriers module announces it, and one action run as the engine would run it.

export const blankFacts = (event = 'test'): Facts => modelBlankFacts(event)

let seq = 0

export type ShippedOrder = {
  orderId: string
  customerId: string
  shipmentId: string
  trackingNumber: string
  totalMinor: number
}

/** An order of one line (GBP) by a customer with an email address, shipped by Royal Mail. */
export async function shippedOrder(
  ctx: AppContext,
  merchantId: string,
  o: { totalMinor?: number; category?: string; orderNumber?: string; email?: string | null; customerId?: string } = {},
): Promise<ShippedOrder> {
  const n = ++seq
  const trackingNumber = `RM${String(n).padStart(9, '0')}GB`
  return ctx.db.transaction().execute(async (trx) => {
    const ctx = systemContext(merchantId)
    const { order } = await upsertOrder(
      trx,
      ctx,
      {
        source: 'test',
        externalId: `o-${n}-${newId()}`,
        orderNumber: o.orderNumber ?? `#${1000 + n}`,
        currency: 'GBP',
        placedAt: new Date(Date.UTC(2026, 10, 1, 10, n)),
        totalMinor: o.totalMinor ?? 18_000,
        shippingCountry: 'FR',
        ...(o.customerId
          ? { customerId: o.customerId }
          : {
              customer: {
                externalId: `c-${n}-${newId()}`,
                email: o.email === undefined ? `c${n}@example.com` : o.email,
                name: 'Casey Jones',
              },
            }),
        lines: [
          {
            name: 'Walking boots',
            sku: 'BOOT-42',
            category: o.category ?? 'footwear',
            quantity: 1,
            unitPriceMinor: o.totalMinor ?? 18_000,
          },
        ],
      },
      new Date(),
    )
    const { shipment } = await upsertShipment(
      trx,
      ctx,
      {
        source: 'test',
        externalId: `s-${n}-${newId()}`,
        orderId: order.id,
        carrier: 'Royal Mail',
        service: 'Tracked 48',
        trackingNumber,
        destinationCountry: 'FR',
        shippedAt: new Date('2026-11-02T10:00:00Z'),
      },
      new Date(),
    )
    return {
      orderId: order.id,
      customerId: order.customer_id!,
      shipmentId: shipment.id,
      trackingNumber,
      totalMinor: order.total_amount_minor,
    }
  })
}

/** shipment.status_changed as the carriers module writes it. */
export function statusChanged(
  merchantId: string,
  s: ShippedOrder,
  status: string,
  at: Date,
  extra: Partial<DomainEvent<'shipment.status_changed'>['data']> = {},
): DomainEvent<'shipment.status_changed'> {
  return {
    id: newId(),
    merchant_id: merchantId,
    type: 'shipment.status_changed',
    subject_id: s.shipmentId,
    occurred_at: at.toISOString(),
    data: {
      shipment_id: s.shipmentId,
      order_id: s.orderId,
      customer_id: s.customerId,
      tracker_id: newId(),
      provider: 'generic',
      carrier: 'royal_mail',
      carrier_name: 'Royal Mail',
      tracking_number: s.trackingNumber,
      service: 'Tracked 48',
      fulfilment_centre: null,
      destination_country: 'FR',
      previous_status: 'in_transit',
      status,
      sub_status: null,
      shipment_status: 'exception',
      confidence: 'high',
      review_reasons: [],
      status_at: at.toISOString(),
      order_value: { amount_minor: s.totalMinor, currency: 'GBP' },
      declared_value: null,
      estimated_delivery_at: null,
      signed_by: null,
      ...extra,
    },
  }
}

export type RunInput = {
  target?: Partial<ActionTarget>
  event?: DomainEvent | null
  facts?: Facts
  triggerKey?: string
  rule?: { id: string; version: number; name: string }
  now?: Date
}

export const testRule = (name = 'Test rule') => ({ id: newId(), version: 1, name })

/** One action run in its own transaction, as the engine runs it; returns the outcome and the target after it. */
export async function runOne<N extends ActionName>(
  app: AppContext,
  merchantId: string,
  name: N,
  args: ActionArgs[N],
  input: RunInput = {},
): Promise<{ outcome: ActionOutcome; target: ActionTarget }> {
  const rule = input.rule ?? testRule()
  const target: ActionTarget = { caseId: null, shipmentId: null, orderId: null, customerId: null, ...input.target }
  const event = input.event ?? null
  return app.db.transaction().execute(async (trx) => {
    const run: ActionRun = {
      trx,
      ctx: ruleContext(merchantId, rule),
      app,
      now: input.now ?? (event ? new Date(event.occurred_at) : new Date()),
      event,
      facts: input.facts ?? blankFacts(event?.type),
      target,
      rule,
      triggerKey: input.triggerKey ?? event?.id ?? newId(),
    }
    const outcome = await (actionHandlers[name] as (r: ActionRun, a: ActionArgs[N]) => Promise<ActionOutcome>)(
      run,
      args,
    )
    return { outcome, target }
  })
}
