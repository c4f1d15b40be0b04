import type { Transaction } from 'kysely'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import * as caseStore from '../store/cases.js'
import type { CaseRow } from '../store/cases.js'
import * as followerStore from '../store/followers.js'
import * as linkStore from '../store/links.js'
import { caseNumber } from '../types.js'
import { applyChange } from './change.js'
import type { ServiceContext } from '../../auth/actor.js'

type Trx = Transaction<Database>

/**
 * Merges duplicates into one survivor: each duplicate is closed as `duplicate` and points to the
 * survivor, its links and followers move over, tags are combined, and its timeline is shown as
 * part of the survivor's (listTimeline includes merged cases).
 */
export async function mergeCases(
  trx: Trx,
  ctx: ServiceContext,
  survivorId: string,
  duplicateIds: string[],
  now: Date,
): Promise<CaseRow> {
  const ids = [...new Set(duplicateIds)]
  if (!ids.length || ids.includes(survivorId))
    throw new AppError('case_merge_invalid', 'Name one or more other cases to merge into this one', {
      case_id: survivorId,
    })
  const rows = await caseStore.lockCases(trx, ctx.merchantId, [survivorId, ...ids])
  const survivor = rows.find((r) => r.id === survivorId)
  if (!survivor) throw new AppError('case_not_found', 'No such case', { case_id: survivorId })
  const missing = ids.filter((id) => !rows.some((r) => r.id === id))
  if (missing.length) throw new AppError('case_not_found', 'No such case to merge', { case_ids: missing })
  const merged = rows.filter((r) => r.merged_into_id)
  if (merged.length)
    throw new AppError('case_merged', 'A case here was already merged into another', {
      case_ids: merged.map((r) => r.id),
    })
  const duplicates = ids.map((id) => rows.find((r) => r.id === id)!)
  for (const d of duplicates) {
    const links = await linkStore.listLinks(trx, ctx.merchantId, [d.id])
    await linkStore.insertLinks(
      trx,
      links.map((l) => ({ ...l, case_id: survivor.id, summary: JSON.stringify(l.summary), created_at: now })),
    )
    await followerStore.insertFollowers(
      trx,
      ctx.merchantId,
      survivor.id,
      await followerStore.listFollowers(trx, ctx.merchantId, d.id),
      now,
    )
    await applyChange(
      trx,
      ctx,
      d,
      {
        action: 'case.merged',
        acts: false,
        patch: {
          status: 'closed',
          resolution_code: 'duplicate',
          resolved_at: d.resolved_at ?? now,
          closed_at: now,
          merged_into_id: survivor.id,
        },
        events: [{ type: 'case.merged', data: { merged_into_id: survivor.id } }],
        timeline: [
          {
            type: 'merged_into',
            data: { survivor_id: survivor.id, number: caseNumber(survivor.number) },
            text: `Merged into ${caseNumber(survivor.number)}`,
          },
        ],
      },
      now,
    )
  }
  await linkStore.insertLinks(
    trx,
    duplicates.map((d) => ({
      merchant_id: ctx.merchantId,
      case_id: survivor.id,
      entity_type: 'case',
      entity_id: d.id,
      summary: JSON.stringify({
        number: caseNumber(d.number),
        subject: d.subject,
        status: 'closed',
        case_type: d.type_key,
        merged: true,
      }),
      created_at: now,
    })),
  )
  const tags = [...new Set([...survivor.tags, ...duplicates.flatMap((d) => d.tags)])].sort()
  return applyChange(
    trx,
    ctx,
    survivor,
    {
      action: 'case.merged_in',
      patch: tags.length !== survivor.tags.length ? { tags } : {},
      timeline: [
        {
          type: 'merged',
          data: { case_ids: ids, numbers: duplicates.map((d) => caseNumber(d.number)) },
          text: `Merged ${duplicates.map((d) => caseNumber(d.number)).join(', ')}`,
        },
      ],
    },
    now,
  )
}
