import type { Transaction } from 'kysely'
import { systemContext } from '../auth/actor.js'
import type { AppContext } from '../context.js'
import type { Database } from '../db/schema.js'
import { authenticateWebhook, normalizeHeaders, processDelivery, storeDelivery } from '../intake/service.js'
import { signStandardWebhook } from '../intake/providers/standard-webhooks.js'
import { createConnection } from '../integrations/service.js'
import { listShipments } from '../shipments/service.js'
import { rng } from './commerce.js'
import { listAll } from './util.js'

// Carrier truth for the demo: each recent shipment's journey, sent as a signed webhook through the
// real inbox (verified, stored, normalised, recorded), with the exceptions merchants meet every week.
// The history replay (history.ts) posts each at the time it was sent.

type Event = {
  id: string
  status: string
  sub_status?: string
  message: string
  occurred_at: string
  location?: { city: string; country: string }
}

const hubs: Record<string, string[]> = {
  GB: ['Northampton', 'Birmingham', 'Manchester', 'London'],
  DE: ['Leipzig', 'Cologne', 'Berlin'],
  FR: ['Paris', 'Lyon'],
  US: ['Louisville', 'Memphis', 'Newark'],
  NL: ['Amsterdam', 'Utrecht'],
  IE: ['Dublin', 'Athlone'],
  ES: ['Madrid', 'Zaragoza'],
}

type Shipment = {
  tracking_number: string | null
  carrier: { code: string | null; name: string | null }
  shipped_at: Date | null
  destination_country: string | null
  estimated_delivery_on: string | null
}

/** A journey by fate: most arrive, some are held at customs, delayed, damaged, lost, refused or go quiet. */
function journey(s: Shipment, r: () => number, now: Date): Event[] {
  const country = s.destination_country ?? 'GB'
  const places = hubs[country] ?? hubs.GB!
  const at = (h: number) => new Date(s.shipped_at!.getTime() + h * 3600_000)
  const arrive = s.estimated_delivery_on
    ? new Date(`${s.estimated_delivery_on}T09:00:00Z`).getTime() - s.shipped_at!.getTime()
    : 3 * 86400_000
  const days = Math.max(1, arrive / 86400_000)
  const n = s.tracking_number!
  const ev = (i: number, status: string, hours: number, message: string, extra: Partial<Event> = {}): Event => ({
    id: `${n}-${i}`,
    status,
    message,
    occurred_at: at(hours).toISOString(),
    location: { city: places[i % places.length]!, country },
    ...extra,
  })
  const events: Event[] = [
    ev(0, 'info_received', -2, 'Shipping label created'),
    ev(1, 'in_transit', 0, 'Collected from the sender'),
    ev(2, 'in_transit', 14, 'Arrived at sorting hub'),
  ]
  const fate = r()
  const end = days * 24
  if (fate < 0.03)
    events.push(
      ev(3, 'in_transit', 30, 'Departed sorting hub'),
      ev(4, 'lost', end + 120, 'Parcel cannot be located; investigation closed'),
    )
  else if (fate < 0.06) events.push(ev(3, 'damaged', 26, 'Damaged in transit; contents exposed'))
  else if (fate < 0.09)
    events.push(ev(3, 'in_transit', 30, 'Departed sorting hub')) // then silence: stale
  else if (fate < 0.12 && country === 'US')
    events.push(ev(3, 'customs_hold', 30, 'Held by customs: import duties unpaid', { sub_status: 'duties_unpaid' }))
  else if (fate < 0.15)
    events.push(
      ev(3, 'delayed', 30, 'Delayed by severe weather', { sub_status: 'weather' }),
      ev(4, 'out_for_delivery', end + 24, 'Out for delivery'),
      ev(5, 'delivered', end + 30, 'Delivered to front door'),
    )
  else if (fate < 0.18)
    events.push(
      ev(3, 'out_for_delivery', end, 'Out for delivery'),
      ev(4, 'attempt_failed', end + 5, 'Delivery attempted: nobody home'),
      ev(5, 'returned_to_sender', end + 96, 'Returned to sender: not collected'),
    )
  else
    events.push(
      ev(3, 'out_for_delivery', end, 'Out for delivery'),
      ev(4, 'delivered', end + 5, 'Delivered, signed for by the customer', { location: { city: places[0]!, country } }),
    )
  return events.filter((e) => Date.parse(e.occurred_at) <= now.getTime())
}

/** How far back the carrier history goes. */
export const trackedDays = 30

export type Journey = { at: Date; shipmentId: string; trackingNumber: string; deliveredAt: Date | null; body: string }

/**
 * Connects EasyPost and AfterShip beside the signed generic feed, and tells each recent shipment's
 * journey: one webhook, sent minutes after its latest scan (labelled parcels not yet scanned send none).
 */
export async function carrierJourneys(
  ctx: AppContext,
  merchantId: string,
  now: Date,
  limit = 1200,
): Promise<Journey[]> {
  const system = systemContext(merchantId, 'demo')
  await ctx.db.transaction().execute(async (trx) => {
    await createConnection(
      trx,
      system,
      ctx.keys.secrets,
      {
        source: 'carriers',
        provider: 'easypost',
        name: 'EasyPost (US parcels)',
        secret: 'demo-easypost-webhook-secret',
      },
      now,
    )
    await createConnection(
      trx,
      system,
      ctx.keys.secrets,
      {
        source: 'carriers',
        provider: 'aftership',
        name: 'AfterShip (EU tracking)',
        secret: 'demo-aftership-webhook-secret',
      },
      now,
    )
  })
  const [r, lag] = [rng(7), rng(8)]
  const shipments = (await listAll((after) => listShipments(ctx.db, merchantId, { after, limit: 1000 })))
    .filter(
      (s) => s.tracking_number && s.shipped_at && now.getTime() - s.shipped_at.getTime() < trackedDays * 86400_000,
    )
    .slice(0, limit)
  return shipments.flatMap((s) => {
    const events = journey(s, r, now)
    if (!events.length) return []
    const at = new Date(
      Math.min(Date.parse(events[events.length - 1]!.occurred_at) + (1 + lag() * 14) * 60_000, now.getTime()),
    )
    const data = { carrier: s.carrier.code ?? s.carrier.name, tracking_number: s.tracking_number, events }
    const delivered = events.find((e) => e.status === 'delivered')
    return [
      {
        at,
        shipmentId: s.id,
        trackingNumber: s.tracking_number!,
        deliveredAt: delivered ? new Date(delivered.occurred_at) : null,
        body: JSON.stringify({ type: 'tracking.updated', timestamp: at.toISOString(), data }),
      },
    ]
  })
}

/**
 * One journey's webhook, signed, verified, stored and processed through the real inbox at its own time,
 * in the caller's transaction: a running server's inbox drain never finds it waiting and takes it first.
 */
export async function postJourney(
  trx: Transaction<Database>,
  ctx: AppContext,
  merchantId: string,
  feed: { id: string; secret: string },
  j: Journey,
): Promise<boolean> {
  const id = `msg_demo_${j.trackingNumber}`
  const ts = Math.floor(j.at.getTime() / 1000)
  const headers = normalizeHeaders({
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': signStandardWebhook(feed.secret, id, ts, j.body),
  })
  const rawBody = Buffer.from(j.body)
  const auth = await authenticateWebhook(
    trx,
    ctx.keys.secrets,
    { source: 'carriers', provider: 'generic', connectionId: feed.id, headers, rawBody },
    j.at,
  )
  const { deliveryId, duplicate } = await storeDelivery(
    trx,
    auth,
    { headers, rawBody, contentType: 'application/json', requestId: 'demo' },
    j.at,
  )
  if (!duplicate) await processDelivery(trx, ctx, merchantId, deliveryId, j.at)
  return !duplicate
}
