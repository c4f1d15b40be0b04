import { PassThrough, type Readable } from 'node:stream'
import yazl from 'yazl'
import type { ServiceContext } from '../../auth/actor.js'
import { trackersOfShipment } from '../../carriers/service.js'
import { getCase, listCaseTimeline } from '../../cases/service.js'
import { recordAuditFor } from '../../changes.js'
import type { Db } from '../../db/owned.js'
import { getMerchant } from '../../merchants/service.js'
import { formatMoney } from '../../money.js'
import { getOrder } from '../../orders/service.js'
import { getShipment } from '../../shipments/service.js'
import {
  type EvidenceContext,
  type EvidenceItem,
  listCaseEvidence,
  seesSensitive,
  openEvidenceFile,
} from '../../evidence/index.js'
import { PdfWriter } from './pdf.js'

type CaseDetail = Awaited<ReturnType<typeof getCase>>

export type ManifestEntry = {
  file: string
  evidence_id: string
  type_key: string
  source: string
  uploader_kind: string
  uploaded_by: string | null
  captured_at: string | null
  created_at: string
  sha256: string
  size_bytes: number
  content_type: string
  name: string
}

// A name inside the ZIP: its position keeps two files of the same name apart, and nothing from outside can make
// a path (no slashes, dots at the start, or control characters).
const zipName = (i: number, item: EvidenceItem) =>
  `evidence/${String(i + 1).padStart(3, '0')}-${item.type_key}-${
    item.original_name
      .replace(/[^\w.-]+/g, '_')
      .replace(/\.{2,}/g, '.')
      .replace(/^\./, '')
      .slice(0, 100) || 'file'
  }`

const linked = (detail: CaseDetail, type: string) =>
  detail.links.filter((l) => l.entity_type === type).map((l) => l.entity_id)

/**
 * The case's evidence pack, for a carrier or finance: every active item the caller may see (sensitive types only
 * for the roles the merchant allows), manifest.json (type, times, uploader, SHA-256, size, name) and summary.pdf
 * (case, order, shipments and their tracking, timeline). Streamed: the files are read one by one as the ZIP is
 * written. The download is audited with each file's SHA-256 before a byte goes out.
 */
export async function evidencePack(
  ctx: EvidenceContext,
  caseId: string,
  now: Date,
  use: 'downloaded' | 'emailed' = 'downloaded',
) {
  const { db } = ctx.app
  const detail = await getCase(db, ctx.merchantId, caseId)
  const sensitive = seesSensitive(ctx)
  const items = (await listCaseEvidence(db, ctx.merchantId, caseId, { includeSensitive: sensitive })).filter(
    (i) => i.status !== 'candidate',
  )
  const manifest: ManifestEntry[] = items.map((item, i) => ({
    file: zipName(i, item),
    evidence_id: item.id,
    type_key: item.type_key,
    source: item.source,
    uploader_kind: item.uploader_kind,
    uploaded_by: item.uploaded_by,
    captured_at: item.captured_at?.toISOString() ?? null,
    created_at: item.created_at.toISOString(),
    sha256: item.sha256,
    size_bytes: item.size_bytes,
    content_type: item.content_type,
    name: item.original_name,
  }))
  const summary = await summaryPdf(db, ctx, detail, manifest, now)
  await db.transaction().execute((trx) =>
    recordAuditFor(
      trx,
      ctx,
      {
        action: `evidence.pack_${use}`,
        entityType: 'case',
        entityId: caseId,
        after: { sensitive_included: sensitive, files: manifest.map((m) => ({ id: m.evidence_id, sha256: m.sha256 })) },
      },
      now,
    ),
  )
  const zip = new yazl.ZipFile()
  const mtime = now
  for (const [i, entry] of manifest.entries())
    zip.addReadStreamLazy(entry.file, { mtime, size: entry.size_bytes, compress: false }, (cb) => {
      openEvidenceFile(ctx, items[i]!.id, 'original').then(
        (f) => cb(null, f.stream),
        (err: unknown) => cb(err, new PassThrough()),
      )
    })
  zip.addBuffer(
    Buffer.from(`${JSON.stringify({ case: detail.number, generated_at: now, files: manifest }, null, 2)}\n`),
    'manifest.json',
    { mtime },
  )
  zip.addBuffer(summary, 'summary.pdf', { mtime, compress: false })
  zip.end()
  return { stream: zip.outputStream as Readable, filename: `evidence-${detail.number}.zip`, manifest }
}

async function summaryPdf(db: Db, ctx: ServiceContext, detail: CaseDetail, manifest: ManifestEntry[], now: Date) {
  const merchant = await getMerchant(db, ctx.merchantId)
  const exponent = (currency: string) => merchant.currencies.find((c) => c.code === currency)?.exponent ?? 2
  const pdf = await PdfWriter.create(`Evidence pack ${detail.number}`)
  pdf.heading(`${merchant.brand_name}: evidence pack for case ${detail.number}`, 16)
  pdf.field('Generated', now.toISOString())
  pdf.heading('Case')
  pdf.field('Type', detail.case_type)
  pdf.field('Status', detail.status)
  pdf.field('Subject', detail.subject)
  pdf.field('Opened', detail.created_at.toISOString())

  const orderIds = [...new Set([detail.order_id, ...linked(detail, 'order')].filter((x): x is string => !!x))]
  for (const orderId of orderIds) {
    const order = await getOrder(db, ctx.merchantId, orderId).catch(() => null)
    if (!order) continue
    const money = (minor: number) =>
      formatMoney({ amountMinor: minor, currency: order.currency }, exponent(order.currency))
    pdf.heading(`Order ${order.order_number ?? order.external_id}`)
    pdf.field('Placed', order.placed_at.toISOString())
    pdf.field('Total', money(order.total_amount_minor))
    for (const l of order.lines)
      pdf.line(`${l.quantity} x ${l.name}${l.sku ? ` (${l.sku})` : ''} at ${money(l.unit_price_amount_minor)}`, 9, 12)
  }

  const shipmentIds = [...new Set([detail.shipment_id, ...linked(detail, 'shipment')].filter((x): x is string => !!x))]
  for (const shipmentId of shipmentIds) {
    const shipment = await getShipment(db, ctx.merchantId, shipmentId).catch(() => null)
    if (!shipment) continue
    pdf.heading(`Shipment ${shipment.tracking_number ?? shipment.id}`)
    pdf.field('Carrier', shipment.carrier.name ?? shipment.carrier.code)
    pdf.field('Status', shipment.tracking.status)
    const events = (await trackersOfShipment(db, ctx.merchantId, shipmentId))
      .flatMap((t) => t.events)
      .sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime())
    for (const e of events) {
      const place = [e.location?.city, e.location?.country].filter(Boolean).join(', ')
      pdf.line(
        `${e.occurred_at.toISOString()}  ${e.status}${e.message ? `: ${e.message}` : ''}${place ? ` (${place})` : ''}`,
        9,
        12,
      )
    }
  }

  pdf.heading('Evidence')
  if (!manifest.length) pdf.line('No evidence on the case.')
  for (const m of manifest) pdf.line(`${m.file}  ${m.type_key}, ${m.size_bytes} bytes, SHA-256 ${m.sha256}`, 8, 12)

  pdf.heading('Timeline')
  const timeline = await listCaseTimeline(db, ctx.merchantId, detail.id, { limit: 500 })
  // Internal notes stay inside the workspace.
  for (const e of timeline.data.filter((t) => !(t.type === 'note' && t.visibility === 'internal')))
    pdf.line(`${e.occurred_at.toISOString()}  ${e.type}: ${e.text}`, 8, 12)
  return pdf.bytes()
}
