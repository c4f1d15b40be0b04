import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import * as caseStore from '../store/cases.js'
import type { CaseRow, Db } from '../store/cases.js'
import { caseNumber } from '../types.js'
import { applyChange, lockWorkingCase } from './change.js'

type Trx = Transaction<Database>

/**
 * Incidents are one level deep: a parent groups children (one carrier outage, many parcels), a parent is
 * never itself a child, and a child never a parent. Returns the parent.
 */
export async function checkIncidentParent(
  db: Db,
  merchantId: string,
  parentId: string,
  childId?: string,
): Promise<CaseRow> {
  const parent = await caseStore.findCase(db, merchantId, parentId)
  if (!parent) throw new AppError('link_target_not_found', 'No such parent case', { field: 'parent_id', id: parentId })
  const invalid = (message: string) =>
    new AppError('case_incident_invalid', message, { parent_id: parentId, case_id: childId ?? null })
  if (parentId === childId) throw invalid('A case cannot be its own parent')
  if (parent.parent_id)
    throw invalid(`${caseNumber(parent.number)} is itself part of an incident; attach to its parent instead`)
  if (parent.merged_into_id)
    throw new AppError('case_merged', 'The parent was merged into another case', {
      case_id: parent.id,
      merged_into_id: parent.merged_into_id,
    })
  if (childId && (await caseStore.listChildren(db, merchantId, childId)).length)
    throw invalid('This case is an incident with cases of its own; it cannot become a child')
  return parent
}

/** Attaches cases to an incident parent in one transaction: one case that cannot join refuses them all. */
export async function attachToIncident(
  trx: Trx,
  ctx: ServiceContext,
  parentId: string,
  childIds: string[],
  now: Date,
): Promise<CaseRow[]> {
  const parent = await lockWorkingCase(trx, ctx.merchantId, parentId)
  const children: CaseRow[] = []
  for (const id of [...new Set(childIds)]) {
    await checkIncidentParent(trx, ctx.merchantId, parent.id, id)
    const child = await lockWorkingCase(trx, ctx.merchantId, id)
    if (child.parent_id === parent.id) continue
    children.push(
      await applyChange(
        trx,
        ctx,
        child,
        {
          action: 'case.incident_attached',
          patch: { parent_id: parent.id },
          acts: false,
          timeline: [
            {
              type: 'incident_attached',
              data: { parent_id: parent.id, number: caseNumber(parent.number) },
              text: `Part of incident ${caseNumber(parent.number)}: ${parent.subject}`,
            },
          ],
        },
        now,
      ),
    )
  }
  if (children.length) {
    await applyChange(
      trx,
      ctx,
      parent,
      {
        action: 'case.incident_grown',
        patch: {},
        acts: false,
        timeline: [
          {
            type: 'incident_attached',
            data: { case_ids: children.map((x) => x.id), numbers: children.map((x) => caseNumber(x.number)) },
            text: `Grouped ${children.map((x) => caseNumber(x.number)).join(', ')}`,
          },
        ],
      },
      now,
    )
  }
  return children
}

export async function detachFromIncident(
  trx: Trx,
  ctx: ServiceContext,
  parentId: string,
  childId: string,
  now: Date,
): Promise<CaseRow> {
  const child = await lockWorkingCase(trx, ctx.merchantId, childId)
  if (child.parent_id !== parentId)
    throw new AppError('case_not_found', 'This case is not part of that incident', {
      case_id: childId,
      parent_id: parentId,
    })
  return applyChange(
    trx,
    ctx,
    child,
    {
      action: 'case.incident_detached',
      patch: { parent_id: null },
      acts: false,
      timeline: [{ type: 'incident_detached', data: { parent_id: parentId }, text: 'Removed from the incident' }],
    },
    now,
  )
}
