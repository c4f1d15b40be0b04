import { Readable } from 'node:stream'
import type { ServiceContext } from '../../auth/actor.js'
import { getCase } from '../../cases/service.js'
import type { Db, Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { getMerchant } from '../../merchants/service.js'
import { formatMoney } from '../../money.js'
import { getOrder } from '../../orders/service.js'
import {
  type AddEvidenceInput,
  addEvidence,
  addEvidenceInTransaction,
  type EvidenceContext,
  type EvidenceItem,
} from '../../evidence/index.js'
import { PdfWriter } from './pdf.js'

type Order = Awaited<ReturnType<typeof getOrder>>

/**
 * A commercial invoice for customs holds and claims, built from the case's order (lines, values, currency), added
 * as evidence (commercial_invoice, source generated, uploader system). Orders carry no HS codes or countries of
 * origin yet: those columns say "not recorded" for the merchant to complete if customs asks.
 */
export async function generateCommercialInvoice(ctx: EvidenceContext, caseId: string, now: Date) {
  return generate(ctx.app.db, ctx, caseId, now, (input) => addEvidence(ctx, input))
}

/** The same in the caller's transaction: a rule's check_evidence, whose case may be opened by that transaction. */
export async function generateCommercialInvoiceInTransaction(
  trx: Trx,
  ctx: EvidenceContext,
  caseId: string,
  now: Date,
) {
  return generate(trx, ctx, caseId, now, (input) => addEvidenceInTransaction(trx, ctx, input))
}

async function generate(
  db: Db,
  ctx: EvidenceContext,
  caseId: string,
  now: Date,
  add: (input: AddEvidenceInput) => Promise<EvidenceItem | undefined>,
) {
  const detail = await getCase(db, ctx.merchantId, caseId)
  const orderId = detail.order_id ?? detail.links.find((l) => l.entity_type === 'order')?.entity_id
  if (!orderId)
    throw new AppError('evidence_order_missing', 'The case has no order to build a commercial invoice from', {
      case_id: caseId,
    })
  const order = await getOrder(db, ctx.merchantId, orderId)
  const bytes = await invoicePdf(db, ctx, order, now)
  const number = order.order_number ?? order.external_id
  const item = await add({
    caseId,
    typeKey: 'commercial_invoice',
    source: 'generated',
    uploader: { kind: 'system' },
    file: { stream: Readable.from([bytes]), filename: `commercial-invoice-${number.replace(/[^\w-]+/g, '')}.pdf` },
    capturedAt: now,
    fields: { order_id: order.id, total_amount_minor: order.total_amount_minor, currency: order.currency },
  })
  // Only a copy with a sourceRef can come back empty.
  return item!
}

async function invoicePdf(db: Db, ctx: ServiceContext, order: Order, now: Date): Promise<Buffer> {
  const merchant = await getMerchant(db, ctx.merchantId)
  const exponent = merchant.currencies.find((c) => c.code === order.currency)?.exponent ?? 2
  const money = (minor: number) => formatMoney({ amountMinor: minor, currency: order.currency }, exponent)
  const number = order.order_number ?? order.external_id
  const pdf = await PdfWriter.create(`Commercial invoice ${number}`)
  pdf.heading('Commercial invoice', 18)
  pdf.field('Invoice', `CI-${number}`)
  pdf.field('Date', now.toISOString().slice(0, 10))
  pdf.field('Seller', merchant.brand_name)
  pdf.field('Order', `${number}, placed ${order.placed_at.toISOString().slice(0, 10)}`)
  pdf.field('Destination country', order.shipping_country)
  pdf.field('Currency', order.currency)
  pdf.field('Reason for export', 'Sale of goods')
  pdf.heading('Goods')
  for (const [i, l] of order.lines.entries()) {
    pdf.line(`${i + 1}. ${l.name}${l.sku ? ` (SKU ${l.sku})` : ''}`, 10)
    pdf.line(
      `Quantity ${l.quantity}; unit value ${money(l.unit_price_amount_minor)}; ` +
        `line value ${money(l.unit_price_amount_minor * l.quantity)}; HS code: not recorded; origin: not recorded`,
      9,
      14,
    )
  }
  pdf.heading('Totals')
  pdf.field('Goods', money(order.subtotal_amount_minor))
  if (order.discount_amount_minor) pdf.field('Discount', money(-order.discount_amount_minor))
  pdf.field('Shipping', money(order.shipping_amount_minor))
  pdf.field('Tax', money(order.tax_amount_minor))
  pdf.field('Total', money(order.total_amount_minor))
  pdf.gap(12)
  pdf.line('I declare that the information on this invoice is true and correct.', 9)
  return pdf.bytes()
}
