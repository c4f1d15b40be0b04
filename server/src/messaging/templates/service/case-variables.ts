import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../../auth/actor.js'
import { trackersOfShipment } from '../../../carriers/service.js'
import { getCase, getCaseType } from '../../../cases/service.js'
import type { Config } from '../../../config.js'
import type { Keys } from '../../../context.js'
import { getCustomer } from '../../../customers/service.js'
import type { Database } from '../../../db/schema.js'
import { signLink } from '../../../links/signed-links.js'
import { findCurrencies, getMerchant } from '../../../merchants/service.js'
import { formatMoney, type WireMoney } from '../../../money.js'
import { getOrder } from '../../../orders/service.js'
import { caseWords, createPortalLink, outcomeWords, portalPurpose, trackingWords } from '../../../portal/service.js'
import { getShipment } from '../../../shipments/service.js'
import { carrierName } from '../../../shipments/carriers.js'
import { carrierTrackingUrl } from '../carrier-links.js'
import type { EmailSettings } from './email-settings.js'

type Trx = Transaction<Database>
/** What rendering for a case needs of the process: PUBLIC_URL and the links key, for the portal link. */
export type RenderApp = { config: Pick<Config, 'publicUrl' | 'email'>; keys: Pick<Keys, 'links'> }

const portalLinkDays = 90
const sampleEvidenceRequest = {
  types: 'Damage photo, Packaging photo',
  message: 'Please show the damage and the box it came in.',
  due: 'Friday 11 December, 14:00',
}

/** An amount written for people in the locale, by its currency's exponent. */
async function money(trx: Trx, m: WireMoney, locale: string): Promise<string> {
  const exponent = (await findCurrencies(trx, [m.currency]))[0]?.exponent ?? 2
  return formatMoney({ amountMinor: m.amount_minor, currency: m.currency }, exponent, locale)
}
const ignoreMissing = <T>(p: Promise<T>): Promise<T | null> => p.catch(() => null)

/**
 * The case's own values for every documented variable (variables.ts); what it does not know is null. A preview
 * signs a portal link without recording it; a message for sending records the link it gives out (audited); a
 * template that names no link gets none.
 */
export async function caseVariables(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  o: { app: RenderApp; settings: EmailSettings; locale: string; portalLink: 'none' | 'preview' | 'send' },
  now: Date,
): Promise<Record<string, unknown>> {
  const c = await getCase(trx, ctx.merchantId, caseId)
  const shipmentId = c.shipment_id ?? c.links.find((l) => l.entity_type === 'shipment')?.entity_id ?? null
  const orderId = c.order_id ?? c.links.find((l) => l.entity_type === 'order')?.entity_id ?? null
  const [merchant, type, customer, order, shipment, trackers] = await Promise.all([
    getMerchant(trx, ctx.merchantId),
    ignoreMissing(getCaseType(trx, ctx.merchantId, c.case_type)),
    c.customer_id ? ignoreMissing(getCustomer(trx, ctx.merchantId, c.customer_id)) : null,
    orderId ? ignoreMissing(getOrder(trx, ctx.merchantId, orderId)) : null,
    shipmentId ? ignoreMissing(getShipment(trx, ctx.merchantId, shipmentId)) : null,
    shipmentId ? trackersOfShipment(trx, ctx.merchantId, shipmentId) : [],
  ])
  const tracker = trackers.sort((a, b) => (b.status_at?.getTime() ?? 0) - (a.status_at?.getTime() ?? 0))[0]
  const zone = merchant.time_zone
  const day = (d: Date | null, weekday: boolean) =>
    d
      ? new Intl.DateTimeFormat(o.locale, {
          ...(weekday ? { weekday: 'long' as const } : { year: 'numeric' as const }),
          day: 'numeric',
          month: 'long',
          timeZone: zone,
        }).format(d)
      : null
  const carrierCode = shipment?.carrier.code ?? tracker?.carrier_code ?? c.carrier_code ?? null
  const trackingNumber = shipment?.tracking_number ?? tracker?.tracking_number ?? c.tracking_number ?? null
  const eta =
    tracker?.estimated_delivery_at ??
    (shipment?.estimated_delivery_on ? new Date(`${shipment.estimated_delivery_on}T12:00:00Z`) : null)
  const trackingStatus = tracker?.status ?? shipment?.tracking.status ?? null
  const portal =
    o.portalLink === 'preview'
      ? signLink(
          o.app.keys.links,
          {
            merchantId: ctx.merchantId,
            purpose: portalPurpose,
            subjectType: 'case',
            subjectId: c.id,
            expiresAt: new Date(now.getTime() + portalLinkDays * 86_400_000),
          },
          now,
        )
      : null
  const portalUrl = portal
    ? `${o.app.config.publicUrl.replace(/\/$/, '')}/portal/${portal}`
    : o.portalLink === 'none'
      ? null
      : (
          await createPortalLink(
            trx,
            ctx,
            c.id,
            { secret: o.app.keys.links, days: portalLinkDays, publicUrl: o.app.config.publicUrl },
            now,
          )
        ).url
  return {
    customer: {
      name: customer?.name ?? null,
      first_name: customer?.name?.trim().split(/\s+/)[0] ?? null,
      email: customer?.email ?? null,
    },
    order: {
      number: order ? (order.order_number ?? order.external_id) : null,
      placed_on: day(order?.placed_at ?? null, false),
      total: order
        ? await money(trx, { amount_minor: order.total_amount_minor, currency: order.currency }, o.locale)
        : null,
      lines: (order?.lines ?? []).map((l) => ({ name: l.name, sku: l.sku, quantity: l.quantity })),
    },
    shipment: {
      carrier: (carrierCode ? carrierName(carrierCode) : null) ?? shipment?.carrier.name ?? c.carrier_name ?? null,
      tracking_number: trackingNumber,
      tracking_url: carrierTrackingUrl(carrierCode, trackingNumber) ?? shipment?.tracking_url ?? null,
      eta: day(eta, true),
      status: trackingStatus ? (trackingWords[trackingStatus] ?? null) : null,
      shipped_on: day(shipment?.shipped_at ?? null, false),
      service: shipment?.service ?? null,
      declared_value: shipment?.declared_value ? await money(trx, shipment.declared_value, o.locale) : null,
    },
    case: {
      number: c.number,
      type: type?.label ?? c.case_type,
      status: caseWords[c.status] ?? c.status,
      subject: c.subject,
      outcome: c.resolution_code ? (outcomeWords[c.resolution_code] ?? null) : null,
    },
    // The survey's link is the CSAT module's to give (recordTemplatedEmail's links); a preview shows a sample.
    links: {
      portal: portalUrl,
      survey: o.portalLink === 'preview' ? `${o.app.config.publicUrl.replace(/\/$/, '')}/survey/sample` : null,
      evidence:
        o.portalLink === 'preview' ? `${o.app.config.publicUrl.replace(/\/$/, '')}/portal/evidence/sample` : null,
    },
    // What an evidence request asks: the evidence-requests module gives it with its message; a preview a sample.
    evidence_request: o.portalLink === 'preview' ? sampleEvidenceRequest : { types: null, message: null, due: null },
    brand: { name: merchant.brand_name, from_name: o.settings.from_name, from_address: o.settings.from_address },
  }
}
