import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { getCustomer, type Customer } from '../../customers/service.js'
import type { Database } from '../../db/schema.js'
import type { DomainEvent } from '../../jobs/events.js'
import { AppError } from '../../errors.js'
import { getOrder, type Order } from '../../orders/service.js'
import { getShipment } from '../../shipments/service.js'
import * as caseStore from '../store/cases.js'
import type { Db } from '../store/cases.js'
import * as linkStore from '../store/links.js'
import type { LinkRow } from '../store/links.js'
import { caseNumber, toLink, type CaseLink } from '../types.js'
import { applyChange, lockWorkingCase } from './change.js'

type Trx = Transaction<Database>

/** The key fields a case shows of a linked record, or undefined when this workspace has no such record. */
export type LinkResolver = (db: Db, merchantId: string, id: string) => Promise<Record<string, unknown> | undefined>

const notFound = async <T>(p: Promise<T>): Promise<T | undefined> =>
  p.catch((err: unknown) => {
    if (err instanceof AppError && err.status === 404) return undefined
    throw err
  })

/** The key fields a case shows of its linked customer and order (import writes them too). */
export const customerSummary = (c: Customer) => ({ name: c.name, email: c.email, segment: c.segment })
export const orderSummary = (o: Order) => ({
  external_id: o.external_id,
  order_number: o.order_number,
  status: o.status,
  placed_at: o.placed_at.toISOString(),
  total: { amount_minor: o.total_amount_minor, currency: o.currency },
  lines: o.lines.slice(0, 20).map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity })),
  // A refunded order still has the shop's status "open": the payments say what the customer got back.
  payments: o.payments.map((p) => ({
    captured_amount_minor: p.captured_amount_minor,
    refunded_amount_minor: p.refunded_amount_minor,
  })),
})

const resolvers = new Map<string, LinkResolver>([
  [
    'customer',
    async (db, m, id) => {
      const c = await notFound(getCustomer(db, m, id))
      return c && customerSummary(c)
    },
  ],
  [
    'order',
    async (db, m, id) => {
      const o = await notFound(getOrder(db, m, id))
      return o && orderSummary(o)
    },
  ],
  [
    'shipment',
    async (db, m, id) => {
      const s = await notFound(getShipment(db, m, id))
      // The carrier's newest scan decides; the shop's own fulfilment status stands until the first scan.
      return (
        s && {
          carrier_code: s.carrier.code,
          carrier_name: s.carrier.name,
          tracking_number: s.tracking_number,
          status: s.tracking.status ?? s.status,
          fulfilment_centre: s.fulfilment_centre,
          delivered_at: s.delivered_at?.toISOString() ?? null,
        }
      )
    },
  ],
  [
    'case',
    async (db, m, id) => {
      const c = await caseStore.findCase(db, m, id)
      return c && { number: caseNumber(c.number), subject: c.subject, status: c.status, case_type: c.type_key }
    },
  ],
])

/** Later modules (returns, refunds, claims, warranty registrations) register their record types here. */
export function registerLinkType(entityType: string, resolver: LinkResolver): void {
  resolvers.set(entityType, resolver)
}

export const linkTypes = () => [...resolvers.keys()]

/** A customer renamed, merged or erased: the name and email its links show, and the cases are found by, follow. */
export async function refreshCustomerLinks(trx: Trx, merchantId: string, customerId: string): Promise<void> {
  const c = await notFound(getCustomer(trx, merchantId, customerId))
  if (c) await linkStore.updateLinkSummaries(trx, merchantId, 'customer', customerId, customerSummary(c))
}

/** Only changes to what a link shows of a customer need its links rewritten. */
export const customerChangeReachesLinks = (
  e: DomainEvent<'customer.updated' | 'customer.merged' | 'customer.redacted'>,
) => e.type !== 'customer.updated' || e.data.fields.some((f) => f === 'name' || f === 'email' || f === 'segment')

/**
 * Links as they stand now: each linked record's key fields from its own module (a shipment delivered
 * since it was linked says so); the copy stored at link time stands in for a record since deleted.
 */
export async function liveLinks(db: Db, merchantId: string, rows: LinkRow[]): Promise<CaseLink[]> {
  return Promise.all(
    rows.map(async (r) => {
      const live = await resolvers.get(r.entity_type)?.(db, merchantId, r.entity_id)
      return { ...toLink(r), summary: { ...r.summary, ...live } }
    }),
  )
}

export type LinkInput = { entityType: string; entityId: string }

/** Checks each target exists in this workspace and returns the rows to store. */
export async function resolveLinks(db: Db, merchantId: string, caseId: string, links: LinkInput[], now: Date) {
  const rows = []
  for (const [i, l] of links.entries()) {
    const resolve = resolvers.get(l.entityType)
    const summary = resolve ? await resolve(db, merchantId, l.entityId) : undefined
    if (!resolve || !summary || (l.entityType === 'case' && l.entityId === caseId)) {
      throw new AppError('link_target_not_found', `No ${l.entityType} with this id to link`, {
        index: i,
        entity_type: l.entityType,
        entity_id: l.entityId,
        link_types: linkTypes(),
      })
    }
    rows.push({
      merchant_id: merchantId,
      case_id: caseId,
      entity_type: l.entityType,
      entity_id: l.entityId,
      summary: JSON.stringify(summary),
      created_at: now,
    })
  }
  return rows
}

export async function linkRecords(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  links: LinkInput[],
  now: Date,
): Promise<CaseLink[]> {
  const row = await lockWorkingCase(trx, ctx.merchantId, caseId)
  const rows = await resolveLinks(trx, ctx.merchantId, caseId, links, now)
  await linkStore.insertLinks(trx, rows)
  await applyChange(
    trx,
    ctx,
    row,
    {
      action: 'case.linked',
      patch: {},
      timeline: links.map((l) => ({
        type: 'link_added',
        data: { entity_type: l.entityType, entity_id: l.entityId },
        text: `Linked ${l.entityType}`,
      })),
    },
    now,
  )
  return (await linkStore.listLinks(trx, ctx.merchantId, [caseId])).map(toLink)
}

export async function unlinkRecord(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  link: LinkInput,
  now: Date,
): Promise<void> {
  const row = await lockWorkingCase(trx, ctx.merchantId, caseId)
  if (!(await linkStore.deleteLink(trx, ctx.merchantId, caseId, link.entityType, link.entityId))) {
    throw new AppError('link_target_not_found', 'This case has no such link', {
      entity_type: link.entityType,
      entity_id: link.entityId,
    })
  }
  await applyChange(
    trx,
    ctx,
    row,
    {
      action: 'case.unlinked',
      patch: {},
      timeline: [
        {
          type: 'link_removed',
          data: { entity_type: link.entityType, entity_id: link.entityId },
          text: `Unlinked ${link.entityType}`,
        },
      ],
    },
    now,
  )
}
