import { type ServiceContext, systemContext } from '../../auth/actor.js'
import { recordCaseActivity } from '../../cases/service.js'
import type { AppContext } from '../../context.js'
import type { Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { cancelActions } from '../../jobs/clock.js'
import { completeLink, liveLinkUrl } from '../../links/service.js'
import { getMerchant } from '../../merchants/service.js'
import { sendAutomatic } from '../../messaging/service.js'
import type { ScheduledAction } from '../../modules.js'
import { evidenceTypeCatalogue, listCaseEvidence, type EvidenceItem } from '../../evidence/index.js'
import * as store from '../store.js'
import { clockKeys, dueWords, missingOf } from './requests.js'

/**
 * Evidence that came in through a request (the portal's upload): evidence.received and a timeline entry per item,
 * then, once every type asked for is in, the request completes (its link dies, its clock stops,
 * evidence.request_completed). Whether it completed now.
 */
export async function recordEvidenceReceived(
  trx: Trx,
  ctx: ServiceContext,
  requestId: string,
  items: EvidenceItem[],
  now: Date,
): Promise<boolean> {
  const row = await store.lockRequest(trx, ctx.merchantId, requestId)
  if (!row) return false
  const waiting = row.status === 'open' || row.status === 'overdue'
  const missing = missingOf(row, await listCaseEvidence(trx, ctx.merchantId, row.case_id, { includeSensitive: true }))
  const completes = waiting && missing.length === 0
  if (completes) {
    await store.updateRequest(trx, ctx.merchantId, row.id, { status: 'completed', completed_at: now })
    await completeLink(trx, ctx.merchantId, row.link_id, now)
    const keys = clockKeys(row.id)
    await cancelActions(trx, ctx.merchantId, [keys.reminder, keys.overdue])
  }
  await recordCaseActivity(
    trx,
    ctx,
    row.case_id,
    {
      action: 'evidence.received',
      acts: false,
      timeline: [
        ...items.map((i) => ({
          type: 'evidence_received',
          data: { request_id: row.id, evidence_id: i.id, type_key: i.type_key },
          text: `The customer sent evidence (${i.type_key})`,
        })),
        ...(completes
          ? [{ type: 'evidence_request_completed', data: { request_id: row.id }, text: 'All evidence asked for is in' }]
          : []),
      ],
      events: [
        ...items.map((i) => ({
          type: 'evidence.received' as const,
          data: { case_id: row.case_id, request_id: row.id, evidence_id: i.id, type_key: i.type_key },
        })),
        ...(completes
          ? [{ type: 'evidence.request_completed' as const, data: { case_id: row.case_id, request_id: row.id } }]
          : []),
      ],
    },
    now,
  )
  return completes
}

/** The clock's reminder: an open request's customer hears again, with the same link. */
export async function remindRequest(trx: Trx, action: ScheduledAction, app: AppContext, now: Date): Promise<void> {
  const ctx = systemContext(action.merchantId, 'evidence_request')
  const row = await store.lockRequest(trx, action.merchantId, String(action.payload.request_id))
  if (row?.status !== 'open') return
  const missing = missingOf(row, await listCaseEvidence(trx, ctx.merchantId, row.case_id, { includeSensitive: true }))
  if (!missing.length) return
  const catalogue = await evidenceTypeCatalogue(trx, ctx.merchantId)
  const merchant = await getMerchant(trx, action.merchantId)
  const url = await liveLinkUrl(trx, app, action.merchantId, row.link_id, now)
  if (!url) return
  await sendAutomatic(trx, ctx, row.case_id, 'evidence_request', now, {
    app,
    ...(row.channel && { channels: [row.channel] }),
    messageKey: `evidence_request.${row.id}.reminder`,
    links: { evidence: url },
    values: {
      evidence_request: {
        types: missing.map((t) => catalogue.find((c) => c.key === t)?.label ?? t).join(', '),
        message: row.message,
        due: dueWords(row.due_at, merchant.time_zone),
      },
    },
  }).catch((err: unknown) => {
    // Archived, or no version live: no reminder goes, the deadline still runs.
    if (err instanceof AppError && (err.code === 'template_not_found' || err.code === 'template_not_live')) return []
    throw err
  })
  await store.updateRequest(trx, action.merchantId, row.id, { reminded_at: now })
  await recordCaseActivity(
    trx,
    ctx,
    row.case_id,
    {
      action: 'evidence.request_reminded',
      acts: false,
      timeline: [
        { type: 'evidence_request_reminded', data: { request_id: row.id, missing }, text: 'Customer reminded' },
      ],
    },
    now,
  )
}

/** The clock at the deadline: an open request with types missing turns overdue (its link still works a while). */
export async function markRequestOverdue(trx: Trx, action: ScheduledAction, now: Date): Promise<void> {
  const ctx = systemContext(action.merchantId, 'evidence_request')
  const row = await store.lockRequest(trx, action.merchantId, String(action.payload.request_id))
  if (row?.status !== 'open') return
  const missing = missingOf(row, await listCaseEvidence(trx, ctx.merchantId, row.case_id, { includeSensitive: true }))
  await store.updateRequest(trx, action.merchantId, row.id, { status: 'overdue', overdue_at: now })
  await recordCaseActivity(
    trx,
    ctx,
    row.case_id,
    {
      action: 'evidence.request_overdue',
      acts: false,
      timeline: [
        {
          type: 'evidence_request_overdue',
          data: { request_id: row.id, missing },
          text: 'The evidence request passed its deadline',
        },
      ],
      events: [{ type: 'evidence.request_overdue', data: { case_id: row.case_id, request_id: row.id, missing } }],
    },
    now,
  )
}
