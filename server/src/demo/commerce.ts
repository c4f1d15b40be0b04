import { Readable } from 'node:stream'
import { systemContext } from '../auth/actor.js'
import type { AppContext } from '../context.js'
import { runImport } from '../imports/service.js'
import type { OrderInput } from '../orders/service.js'
import type { ShipmentInput } from '../shipments/service.js'
import type { ShipmentStatus } from '../shipments/types.js'

// Northwind's trading history: deterministic (seeded), with the proportions of a mid-size UK apparel
// brand selling into the EU and US. Country decides currency and the carrier mix.

export function rng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export type Weighted<T> = [T, number][]
export const pick = <T>(r: () => number, items: Weighted<T>): T => {
  let x = r() * items.reduce((s, [, w]) => s + w, 0)
  for (const [item, w] of items) if ((x -= w) < 0) return item
  return items[items.length - 1]![0]
}

const countries: Weighted<{
  code: string
  currency: string
  phone: string
  locale: string
  tz: string
  carriers: Weighted<string>
  days: [number, number]
}> = [
  [
    {
      code: 'GB',
      currency: 'GBP',
      phone: '+447700',
      locale: 'en-GB',
      tz: 'Europe/London',
      carriers: [
        ['Royal Mail', 40],
        ['Evri', 25],
        ['DPD UK', 20],
        ['UPS', 10],
        ['DHL Express', 5],
      ],
      days: [1, 3],
    },
    45,
  ],
  [
    {
      code: 'DE',
      currency: 'EUR',
      phone: '+49151',
      locale: 'de-DE',
      tz: 'Europe/Berlin',
      carriers: [
        ['DHL Paket', 50],
        ['DPD', 25],
        ['GLS', 15],
        ['UPS', 10],
      ],
      days: [2, 5],
    },
    15,
  ],
  [
    {
      code: 'FR',
      currency: 'EUR',
      phone: '+33612',
      locale: 'fr-FR',
      tz: 'Europe/Paris',
      carriers: [
        ['Colissimo', 50],
        ['Chronopost', 20],
        ['DPD', 15],
        ['UPS', 15],
      ],
      days: [2, 5],
    },
    12,
  ],
  [
    {
      code: 'US',
      currency: 'USD',
      phone: '+1202555',
      locale: 'en-US',
      tz: 'America/New_York',
      carriers: [
        ['USPS', 45],
        ['UPS', 35],
        ['FedEx', 20],
      ],
      days: [4, 9],
    },
    15,
  ],
  [
    {
      code: 'NL',
      currency: 'EUR',
      phone: '+31612',
      locale: 'nl-NL',
      tz: 'Europe/Amsterdam',
      carriers: [
        ['PostNL', 70],
        ['DHL Express', 30],
      ],
      days: [2, 4],
    },
    5,
  ],
  [
    {
      code: 'IE',
      currency: 'EUR',
      phone: '+35387',
      locale: 'en-IE',
      tz: 'Europe/Dublin',
      carriers: [
        ['An Post', 60],
        ['DPD Ireland', 40],
      ],
      days: [2, 5],
    },
    4,
  ],
  [
    {
      code: 'ES',
      currency: 'EUR',
      phone: '+34612',
      locale: 'es-ES',
      tz: 'Europe/Madrid',
      carriers: [
        ['Correos', 60],
        ['GLS', 40],
      ],
      days: [3, 6],
    },
    4,
  ],
]

const catalogue: [string, string, string, number][] = [
  ['TEE-ORG-BLK', 'Organic cotton tee, black', 'tops', 2500],
  ['TEE-ORG-WHT', 'Organic cotton tee, white', 'tops', 2500],
  ['HOOD-MRN-NVY', 'Merino hoodie, navy', 'tops', 8900],
  ['JKT-RAIN-OLV', 'Packable rain jacket, olive', 'outerwear', 12900],
  ['JKT-DOWN-BLK', 'Recycled down jacket, black', 'outerwear', 19900],
  ['JNS-SLM-IND', 'Slim jeans, indigo', 'bottoms', 7900],
  ['CHN-STR-SND', 'Straight chinos, sand', 'bottoms', 6500],
  ['SCK-WOOL-3PK', 'Wool socks, 3 pack', 'accessories', 1800],
  ['BNE-RIB-RST', 'Ribbed beanie, rust', 'accessories', 2200],
  ['BAG-CNV-TOTE', 'Canvas tote bag', 'accessories', 3500],
  ['SNK-LTH-WHT', 'Leather trainers, white', 'footwear', 11900],
  ['BT-CHL-BRN', 'Chelsea boots, brown', 'footwear', 15900],
]
const rates: Record<string, number> = { GBP: 1, EUR: 1.17, USD: 1.27 }
const firstNames = [
  'Olivia',
  'Amelia',
  'Isla',
  'Ava',
  'Noah',
  'Oliver',
  'George',
  'Leo',
  'Hanna',
  'Lukas',
  'Emma',
  'Louis',
  'Chloé',
  'Sofia',
  'Liam',
  'Mia',
  'Daan',
  'Saoirse',
  'Lucía',
  'Mateo',
  'Ethan',
  'Grace',
  'Aoife',
  'Jack',
]
const lastNames = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Müller',
  'Schmidt',
  'Martin',
  'Bernard',
  'Johnson',
  'Garcia',
  'de Vries',
  'Murphy',
  'Kelly',
  'López',
  'Wilson',
  'Evans',
  'Thomas',
  'Walsh',
  'Moreau',
]

const day = (d: Date) => d.toISOString().slice(0, 10)
// Prices end in .00 or .99 in each currency, as shops price them.
const priceIn = (gbpMinor: number, currency: string) =>
  Math.max(100, Math.round((gbpMinor * rates[currency]!) / 100) * 100 - (currency === 'GBP' ? 0 : 1))

export type DemoRecords = { orders: OrderInput[]; shipments: ShipmentInput[] }

export function generateCommerce(count: number, now: Date, seed = 42): DemoRecords {
  const r = rng(seed)
  const customers = Array.from({ length: Math.max(1, Math.round(count / 1.6)) }, (_, i) => {
    const c = pick(r, countries)
    const first = firstNames[Math.floor(r() * firstNames.length)]!
    const last = lastNames[Math.floor(r() * lastNames.length)]!
    const email = `${`${first}.${last}.${i}`
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9.]/g, '')}@example.com`
    const segment = pick(r, [
      ['retail', 85],
      ['vip', 5],
      ['business', 7],
      ['reseller', 3],
    ] as Weighted<string>)
    return {
      country: c,
      input: {
        externalId: `NW-C${100000 + i}`,
        name: `${first} ${last}`,
        email,
        phone: `${c.phone}${String(100000 + Math.floor(r() * 899999))}`,
        locale: c.locale,
        timeZone: c.tz,
        segment,
        consent: { email: r() < 0.6, sms: r() < 0.2, whatsapp: r() < 0.1 },
      },
    }
  })
  const orders: OrderInput[] = []
  const shipments: ShipmentInput[] = []
  for (let i = 0; i < count; i++) {
    const customer = customers[Math.floor(r() ** 1.5 * customers.length)]! // some customers come back often
    const { currency, code, carriers, days } = customer.country
    const placedAt = new Date(now.getTime() - Math.floor(r() * 120 * 86400_000))
    const lineCount = pick(r, [
      [1, 25],
      [2, 30],
      [3, 25],
      [4, 15],
      [5, 5],
    ] as Weighted<number>)
    const lines = Array.from({ length: lineCount }, () => {
      const [sku, name, category, gbp] = catalogue[Math.floor(r() * catalogue.length)]!
      return {
        externalId: undefined,
        sku,
        name,
        category,
        quantity: r() < 0.85 ? 1 : 2,
        unitPriceMinor: priceIn(gbp, currency),
        taxMinor: 0,
        fulfilmentCentre: r() < 0.8 ? 'Northampton DC' : 'Rotterdam DC',
      }
    })
    const subtotal = lines.reduce((s, l) => s + l.unitPriceMinor * l.quantity, 0)
    const shipping = subtotal >= priceIn(7500, currency) ? 0 : priceIn(495, currency)
    const cancelled = r() < 0.03
    const externalId = `NW-${1000 + i}`
    orders.push({
      source: 'shopify',
      externalId,
      orderNumber: `#${1000 + i}`,
      customer: customer.input,
      currency,
      placedAt,
      status: cancelled ? 'cancelled' : 'open',
      financialStatus: cancelled ? 'voided' : 'paid',
      subtotalMinor: subtotal,
      shippingMinor: shipping,
      totalMinor: subtotal + shipping,
      shippingCountry: code,
      lines,
      payments: cancelled
        ? []
        : [
            {
              provider: pick(r, [
                ['shopify_payments', 70],
                ['paypal', 20],
                ['klarna', 10],
              ] as Weighted<string>),
              reference: `pay_${externalId}`,
              capturedMinor: subtotal + shipping,
              capturedAt: placedAt,
            },
          ],
      sourceUpdatedAt: placedAt,
    })
    if (cancelled || r() < 0.04) continue // cancelled, or not shipped yet
    const shippedAt = new Date(placedAt.getTime() + (6 + Math.floor(r() * 40)) * 3600_000)
    const transit = days[0] + Math.floor(r() * (days[1] - days[0] + 1))
    const promised = new Date(shippedAt.getTime() + days[1] * 86400_000)
    const arrives = new Date(shippedAt.getTime() + transit * 86400_000)
    const exception = r() < 0.03
    const status: ShipmentStatus = exception ? 'exception' : arrives <= now ? 'delivered' : 'in_transit'
    shipments.push({
      source: 'shopify',
      externalId: `${externalId}-F1`,
      orderExternalId: externalId,
      carrier: pick(r, carriers),
      trackingNumber: `${code}${String(Math.floor(r() * 1e12)).padStart(12, '0')}`,
      fulfilmentCentre: lines[0]!.fulfilmentCentre,
      status,
      shippedAt,
      destinationCountry: code,
      promisedDeliveryOn: day(promised),
      estimatedDeliveryOn: day(arrives),
      deliveredAt: status === 'delivered' ? arrives : null,
      declaredValue: { amountMinor: subtotal, currency },
      lines: lines.map((l, position) => ({ position, quantity: l.quantity })),
      sourceUpdatedAt: shippedAt,
    })
  }
  return { orders, shipments }
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined)

/** The generated history as the import format's JSON lines (server/src/imports/README.md). */
function orderLines(records: DemoRecords): string[] {
  return records.orders.map((o) =>
    JSON.stringify({
      external_id: o.externalId,
      order_number: o.orderNumber,
      currency: o.currency,
      placed_at: iso(o.placedAt),
      status: o.status,
      financial_status: o.financialStatus,
      subtotal_amount_minor: o.subtotalMinor,
      shipping_amount_minor: o.shippingMinor,
      total_amount_minor: o.totalMinor,
      shipping_country: o.shippingCountry,
      customer: o.customer && {
        external_id: o.customer.externalId,
        name: o.customer.name,
        email: o.customer.email,
        phone: o.customer.phone,
        locale: o.customer.locale,
        time_zone: o.customer.timeZone,
        segment: o.customer.segment,
      },
      lines: o.lines.map((l) => ({
        sku: l.sku,
        name: l.name,
        category: l.category,
        quantity: l.quantity,
        unit_price_amount_minor: l.unitPriceMinor,
        tax_amount_minor: l.taxMinor,
        fulfilment_centre: l.fulfilmentCentre,
      })),
      payments: o.payments?.map((p) => ({
        provider: p.provider,
        reference: p.reference,
        captured_amount_minor: p.capturedMinor,
        captured_at: iso(p.capturedAt),
      })),
    }),
  )
}

function shipmentLines(records: DemoRecords): string[] {
  return records.shipments.map((s) =>
    JSON.stringify({
      external_id: s.externalId,
      order_external_id: s.orderExternalId,
      carrier: s.carrier,
      tracking_number: s.trackingNumber,
      fulfilment_centre: s.fulfilmentCentre,
      status: s.status,
      shipped_at: iso(s.shippedAt),
      delivered_at: iso(s.deliveredAt),
      destination_country: s.destinationCountry,
      promised_delivery_on: s.promisedDeliveryOn,
      estimated_delivery_on: s.estimatedDeliveryOn,
      declared_value_amount_minor: s.declaredValue?.amountMinor,
      declared_value_currency: s.declaredValue?.currency,
      lines: s.lines?.map((l) => ({ position: l.position, quantity: l.quantity })),
    }),
  )
}

/**
 * Loads the history through the bulk import, as a merchant's backfill would arrive: batched,
 * audited per record, announced by one import.completed event rather than thousands.
 */
export async function loadCommerce(
  ctx: AppContext,
  merchantId: string,
  records: DemoRecords,
  now: Date,
): Promise<{ orders: number; shipments: number }> {
  const run = async (type: 'orders' | 'shipments', lines: string[]) => {
    const result = await runImport(
      ctx.db,
      systemContext(merchantId, 'demo'),
      { type, format: 'jsonl', source: 'shopify', input: Readable.from(lines.map((l) => `${l}\n`)) },
      now,
    )
    if (result.failed)
      throw new Error(`demo ${type} import refused ${result.failed} rows: ${JSON.stringify(result.errors.slice(0, 3))}`)
    return result.imported + result.updated + result.unchanged
  }
  return { orders: await run('orders', orderLines(records)), shipments: await run('shipments', shipmentLines(records)) }
}
