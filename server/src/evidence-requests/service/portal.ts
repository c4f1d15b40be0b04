import { systemContext } from '../../auth/actor.js'
import { findCaseOrThrow } from '../../cases/service.js'
import { caseNumber } from '../../cases/types.js'
import type { Db } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { checkLink } from '../../links/service.js'
import { getMerchant } from '../../merchants/service.js'
import { type EvidenceContext, evidenceContext, evidenceTypeCatalogue, listCaseEvidence } from '../../evidence/index.js'
import * as store from '../store.js'
import type { RequestRow } from '../store.js'
import { uploadPurpose } from './requests.js'

// The customer's upload page: what is asked and why, by when, and what came in (names, types, times: nothing else).

export type PortalTarget = { ctx: EvidenceContext; request: RequestRow; customerId: string | null }

export type PortalRequestView = {
  store: string
  case_number: string
  message: string
  due_at: Date
  overdue: boolean
  types: { key: string; label: string; kind: string; formats: string[]; max_bytes: number; received: boolean }[]
  received: { name: string; type_key: string; received_at: Date }[]
}

/** The request a link stands for, if it can still take evidence (the link's own checks first). */
export async function portalTarget(
  app: EvidenceContext['app'],
  secret: Buffer,
  token: string,
  now: Date,
): Promise<PortalTarget> {
  const { db } = app
  const link = await checkLink(db, secret, token, { purpose: uploadPurpose, subjectType: 'case' }, now)
  const request = await store.findRequestOfLink(db, link.merchant_id, link.id)
  if (!request) throw new AppError('link_invalid', 'This link is not valid', undefined, 401)
  // A request closed without its link dying (it should not happen) still takes nothing.
  if (request.status === 'cancelled') throw new AppError('link_revoked', 'This link was withdrawn')
  if (request.status === 'completed') throw new AppError('link_completed', 'This link has done its job')
  const c = await findCaseOrThrow(db, link.merchant_id, request.case_id)
  // Uploads are recorded as Claimdesk's own work for the customer; the item names the customer as its uploader.
  return { ctx: evidenceContext(app, systemContext(link.merchant_id, 'customer')), request, customerId: c.customer_id }
}

export async function portalRequestView(db: Db, target: PortalTarget, now: Date): Promise<PortalRequestView> {
  const { ctx, request } = target
  const [merchant, c, catalogue, items] = await Promise.all([
    getMerchant(db, ctx.merchantId),
    findCaseOrThrow(db, ctx.merchantId, request.case_id),
    evidenceTypeCatalogue(db, ctx.merchantId),
    listCaseEvidence(db, ctx.merchantId, request.case_id, { includeSensitive: true }),
  ])
  const mine = items.filter((i) => i.request_id === request.id)
  return {
    store: merchant.brand_name,
    case_number: caseNumber(c.number),
    message: request.message,
    due_at: request.due_at,
    overdue: now.getTime() >= request.due_at.getTime(),
    types: request.type_keys.map((key) => {
      const t = catalogue.find((x) => x.key === key)
      return {
        key,
        label: t?.label ?? key,
        kind: t?.kind ?? 'document',
        formats: t?.formats ?? [],
        max_bytes: t?.max_bytes ?? 0,
        received: mine.some((i) => i.type_key === key),
      }
    }),
    received: mine.map((i) => ({ name: i.original_name, type_key: i.type_key, received_at: i.created_at })),
  }
}
