import { Readable } from 'node:stream'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import { systemContext, type ServiceContext } from '../auth/actor.js'
import type { Case } from '../cases/types.js'
import type { AppContext } from '../context.js'
import { addEvidence, evidenceContext } from '../evidence/index.js'
import { generateCommercialInvoice, requestEvidence } from '../evidence-requests/service.js'
import { demoPhoto, type DemoPhoto } from './evidence-images.js'
import { as } from './plan-case.js'
import type { Staff } from './staff.js'

const hour = 3_600_000
const customerOf = (merchantId: string) => systemContext(merchantId, 'customer')

export type DemoEvidence = {
  photos: number
  proofsOfDelivery: number
  invoices: number
  request: { caseNumber: string; url: string } | null
}

/**
 * Evidence on Northwind's damaged and lost cases: the customers' photos of the damage and packaging, the carriers'
 * proofs of delivery, invoices from the agents and commercial invoices built from the orders of customs holds, each
 * dated a few hours into its case; and one open request for photos with its upload link.
 */
export async function seedDemoEvidence(
  ctx: AppContext,
  merchantId: string,
  staff: Staff,
  cases: Case[],
  now: Date,
): Promise<DemoEvidence> {
  const live = cases.filter((c) => !c.merged_into_id)
  const damaged = live.filter((c) => c.case_type === 'damaged' && c.customer_id).slice(0, 14)
  const lost = live.filter((c) => c.case_type === 'lost_parcel' && c.shipment_id).slice(0, 10)
  const customs = live.filter((c) => c.case_type === 'customs_hold' && c.order_id).slice(0, 6)
  const agent = as(merchantId, staff.agents[0]!)
  const within = (c: Case, hours: number) =>
    new Date(Math.min(c.created_at.getTime() + hours * hour, now.getTime() - 60_000))
  const add = async (
    c: Case,
    who: ServiceContext,
    input: {
      type: string
      kind?: DemoPhoto
      pdf?: Uint8Array
      name: string
      source: 'portal' | 'upload' | 'carrier_pod'
    },
    at: Date,
    seed: number,
  ) => {
    const bytes = input.pdf ?? (await demoPhoto(input.kind!, seed))
    await addEvidence(evidenceContext(ctx, who, at), {
      caseId: c.id,
      typeKey: input.type,
      source: input.source,
      uploader: {
        kind: input.source === 'portal' ? 'customer' : input.source === 'carrier_pod' ? 'carrier' : 'agent',
        ...(who.actor.type === 'user' && who.actor.id && { actorId: who.actor.id }),
      },
      file: { stream: Readable.from([bytes]), filename: input.name },
      capturedAt: at,
    })
  }

  // The newest open damaged case (or, in a small demo, any open case of a customer) is left without photos: the one
  // the open request asks them for.
  const open = live.filter((c) => c.customer_id && c.status !== 'resolved' && c.status !== 'closed')
  const asked = damaged.filter((c) => open.includes(c)).at(-1) ?? open.at(-1)
  let photos = 0
  let invoices = 0
  for (const [i, c] of damaged.entries()) {
    if (c === asked) continue
    const customer = customerOf(merchantId)
    await add(
      c,
      customer,
      { type: 'damage_photo', kind: 'damage', name: `IMG_${4100 + i * 3}.jpg`, source: 'portal' },
      within(c, 5),
      i,
    )
    await add(
      c,
      customer,
      { type: 'packaging_photo', kind: 'packaging', name: `IMG_${4101 + i * 3}.jpg`, source: 'portal' },
      within(c, 5.1),
      i,
    )
    photos += 2
    if (i % 3 === 0) {
      await add(
        c,
        customer,
        { type: 'contents_photo', kind: 'contents', name: `IMG_${4102 + i * 3}.jpg`, source: 'portal' },
        within(c, 5.2),
        i,
      )
      photos++
    }
    if (i % 2 === 0) {
      const pdf = await invoicePdf(c)
      await add(c, agent, { type: 'invoice', pdf, name: `invoice-${c.number}.pdf`, source: 'upload' }, within(c, 8), i)
      invoices++
    }
  }
  let proofsOfDelivery = 0
  for (const [i, c] of lost.entries()) {
    await add(
      c,
      systemContext(merchantId, 'carrier'),
      { type: 'pod_image', kind: 'pod', name: `pod-${c.number}.jpg`, source: 'carrier_pod' },
      within(c, 2),
      i,
    )
    proofsOfDelivery++
  }
  for (const c of customs) {
    await generateCommercialInvoice(evidenceContext(ctx, agent), c.id, within(c, 3))
    invoices++
  }
  let request: DemoEvidence['request'] = null
  if (asked) {
    const at = new Date(now.getTime() - 2 * hour)
    const created = await ctx.db.transaction().execute((trx) =>
      requestEvidence(
        trx,
        agent,
        asked.id,
        {
          types: ['damage_photo', 'packaging_photo'],
          message:
            'So we can put this right quickly, please send a photo of the damaged item and one of the box it came in.',
          dueAt: new Date(at.getTime() + 48 * hour),
        },
        ctx,
        at,
      ),
    )
    request = { caseNumber: asked.number, url: created.url }
  }
  return { photos, proofsOfDelivery, invoices, request }
}

/** The merchant's own sales invoice for the case's order, as an agent would attach it from the shop's back office. */
async function invoicePdf(c: Case): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  const font = await doc.embedFont(StandardFonts.Helvetica)
  const bold = await doc.embedFont(StandardFonts.HelveticaBold)
  const page = doc.addPage([595, 842])
  page.drawText('Northwind Outfitters Ltd', { x: 50, y: 780, size: 18, font: bold })
  page.drawText('12 Canal Street, Manchester M1 3HE, United Kingdom · VAT GB 284 9112 73', {
    x: 50,
    y: 760,
    size: 9,
    font,
  })
  page.drawText(`Sales invoice, case ${c.number}`, { x: 50, y: 720, size: 14, font: bold })
  page.drawText(`${c.subject ?? ''}`.slice(0, 90), { x: 50, y: 700, size: 10, font })
  if (c.value)
    page.drawText(`Total ${(Number(c.value.amount_minor) / 100).toFixed(2)} ${c.value.currency}`, {
      x: 50,
      y: 670,
      size: 12,
      font: bold,
    })
  return doc.save()
}
