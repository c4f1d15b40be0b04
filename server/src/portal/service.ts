import type { Kysely, Transaction } from 'kysely'
import type { ServiceContext } from '../auth/actor.js'
import { recordAuditFor } from '../changes.js'
import { trackersOfShipment } from '../carriers/service.js'
import { findCaseOrThrow, getCase, getCaseType, survivingCaseId } from '../cases/service.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { signLink, verifyLink } from '../links/signed-links.js'
import { getMerchant } from '../merchants/service.js'
import { carrierName } from '../shipments/carriers.js'

type Db = Kysely<Database> | Transaction<Database>

// The customer's case status page: one signed link per case, no account. What it shows is written
// for the customer: plain words, no internal notes, no agents' names.
export const portalPurpose = 'case_status'

export const caseWords: Record<string, string> = {
  new: 'We have received your request',
  open: 'We are working on it',
  waiting_customer: 'We are waiting for your reply',
  waiting_carrier: 'We are waiting for the carrier',
  on_hold: 'On hold',
  resolved: 'Resolved',
  closed: 'Closed',
}
export const outcomeWords: Record<string, string> = {
  refunded: 'Refunded',
  reshipped: 'A replacement was sent',
  carrier_credited: 'Settled with the carrier',
  replaced: 'Replaced',
  repaired: 'Repaired',
  no_action: 'No further action needed',
  rejected: 'Not accepted',
  duplicate: 'Handled with your other request',
}
export const trackingWords: Record<string, string> = {
  info_received: "The carrier has the parcel's details",
  in_transit: 'On its way',
  out_for_delivery: 'Out for delivery',
  available_for_pickup: 'Ready to collect',
  delivered: 'Delivered',
  attempt_failed: 'Delivery attempted, nobody could take it',
  delayed: 'Delayed',
  customs_hold: 'Held at customs',
  exception: 'A delivery problem',
  damaged: 'Reported damaged by the carrier',
  lost: 'Reported lost by the carrier',
  returned_to_sender: 'On its way back to us',
  cancelled: 'Shipment cancelled',
  unknown: 'No news from the carrier yet',
}

export type PortalCase = {
  store: string
  number: string
  topic: string
  status: string
  status_text: string
  outcome: string | null
  opened_at: string
  updated_at: string
  shipments: {
    carrier: string | null
    tracking_number: string | null
    status: string
    status_text: string
    estimated_delivery_at: string | null
    events: { at: string; status: string; text: string; detail: string | null; place: string | null }[]
  }[]
}

/** A link for the customer to follow their case; lives 1 to 90 days. */
export async function createPortalLink(
  trx: Transaction<Database>,
  ctx: ServiceContext,
  caseId: string,
  input: { secret: Buffer; days: number; publicUrl: string },
  now: Date,
) {
  await findCaseOrThrow(trx, ctx.merchantId, caseId)
  const expiresAt = new Date(now.getTime() + input.days * 86_400_000)
  const token = signLink(
    input.secret,
    { merchantId: ctx.merchantId, purpose: portalPurpose, subjectType: 'case', subjectId: caseId, expiresAt },
    now,
  )
  // A credential went out: who issued it, for which case, until when (never the token itself).
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'case.portal_link_created',
      entityType: 'case',
      entityId: caseId,
      after: { expires_at: expiresAt.toISOString() },
    },
    now,
  )
  return { url: `${input.publicUrl.replace(/\/$/, '')}/portal/${token}`, expires_at: expiresAt }
}

/** The case a portal link stands for (the survivor's, if it was merged); a case deleted since makes the link invalid. */
export async function linkedCase(db: Db, secret: Buffer, token: string, now: Date) {
  const claims = verifyLink(secret, token, { purpose: portalPurpose, subjectType: 'case' }, now)
  const caseId = await survivingCaseId(db, claims.merchantId, claims.subjectId)
  // A case deleted since the link was minted makes the link invalid.
  if (!caseId) throw new AppError('link_invalid', 'This link is not valid', undefined, 401)
  return { merchantId: claims.merchantId, detail: await getCase(db, claims.merchantId, caseId) }
}

/** What the link's holder may see of the case (the survivor's, if it was merged). */
export async function portalCase(db: Db, secret: Buffer, token: string, now: Date): Promise<PortalCase> {
  const { merchantId, detail } = await linkedCase(db, secret, token, now)
  const [merchant, type] = await Promise.all([
    getMerchant(db, merchantId),
    getCaseType(db, merchantId, detail.case_type),
  ])
  const shipmentIds = detail.links.filter((l) => l.entity_type === 'shipment').map((l) => l.entity_id)
  const shipments = await Promise.all(
    shipmentIds.map(async (id) => {
      const trackers = await trackersOfShipment(db, merchantId, id)
      const latest = trackers.sort((a, b) => (b.status_at?.getTime() ?? 0) - (a.status_at?.getTime() ?? 0))[0]
      const events = trackers.flatMap((t) => t.events).sort((a, b) => b.occurred_at.getTime() - a.occurred_at.getTime())
      return {
        carrier: (latest?.carrier_code ? carrierName(latest.carrier_code) : undefined) ?? latest?.carrier_name ?? null,
        tracking_number: latest?.tracking_number ?? null,
        status: latest?.status ?? 'unknown',
        status_text: trackingWords[latest?.status ?? 'unknown'] ?? trackingWords.unknown!,
        estimated_delivery_at: latest?.estimated_delivery_at?.toISOString() ?? null,
        events: events.map((e) => ({
          at: e.occurred_at.toISOString(),
          status: e.status,
          text: trackingWords[e.status] ?? trackingWords.unknown!,
          detail: e.message,
          place: [e.location?.city, e.location?.country].filter(Boolean).join(', ') || null,
        })),
      }
    }),
  )
  return {
    store: merchant.brand_name,
    number: detail.number,
    topic: type.label,
    status: detail.status,
    status_text: caseWords[detail.status] ?? detail.status,
    outcome: detail.resolution_code ? (outcomeWords[detail.resolution_code] ?? null) : null,
    opened_at: detail.created_at.toISOString(),
    updated_at: detail.updated_at.toISOString(),
    shipments,
  }
}
