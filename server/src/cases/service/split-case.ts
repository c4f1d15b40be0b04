import type { Transaction, Updateable } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import type { CaseRow } from '../store/cases.js'
import * as linkStore from '../store/links.js'
import * as timelineStore from '../store/timeline.js'
import type { Priority } from '../tables.js'
import { caseNumber } from '../types.js'
import { applyChange, lockWorkingCase } from './change.js'
import type { LinkInput } from './links.js'
import { openCase } from './open-case.js'

type Trx = Transaction<Database>

export type SplitInput = {
  subject: string
  caseType?: string
  priority?: Priority
  /** Entries copied onto the new case (the original keeps its history) */
  timelineEntryIds?: string[]
  /** Links moved to the new case; the customer and order stay linked to both */
  links?: LinkInput[]
  description?: string
}

const sharedLinkTypes = new Set(['customer', 'order'])

/**
 * Splits one problem off a case that turned out to hold two (e.g. one parcel lost, the other damaged):
 * a new linked case with the same customer and order, the chosen links moved to it (a moved shipment
 * takes its carrier signals along) and the chosen entries copied to its timeline.
 */
export async function splitCase(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  input: SplitInput,
  now: Date,
): Promise<{ original: CaseRow; split: CaseRow }> {
  const row = await lockWorkingCase(trx, ctx.merchantId, caseId)
  const entryIds = [...new Set(input.timelineEntryIds ?? [])]
  const entries = await timelineStore.findTimelineEntries(trx, ctx.merchantId, row.id, entryIds)
  const links = await linkStore.listLinks(trx, ctx.merchantId, [row.id])
  const moved = (input.links ?? []).map((l) =>
    links.find((x) => x.entity_type === l.entityType && x.entity_id === l.entityId),
  )
  const errors = [
    ...entryIds
      .filter((id) => !entries.some((e) => e.id === id))
      .map((id) => ({ path: 'body/timeline_entry_ids', message: `no entry ${id} on this case` })),
    ...(input.links ?? [])
      .filter((_l, i) => !moved[i])
      .map((l) => ({ path: 'body/links', message: `the case has no ${l.entityType} link ${l.entityId}` })),
    ...(input.links ?? [])
      .filter((l) => sharedLinkTypes.has(l.entityType))
      .map((l) => ({ path: 'body/links', message: `the ${l.entityType} stays linked to both cases; it is not moved` })),
  ]
  if (errors.length)
    throw new AppError('case_split_invalid', 'The split names entries or links this case does not have', {
      errors,
    })
  const movedShipment = moved.find((l) => l?.entity_type === 'shipment')
  const split = await openCase(
    trx,
    ctx,
    {
      caseType: input.caseType ?? row.type_key,
      subject: input.subject,
      priority: input.priority ?? row.priority,
      channel: row.channel,
      source: 'split',
      customerId: row.customer_id,
      orderId: row.order_id,
      shipmentId: movedShipment?.entity_id ?? null,
      teamId: row.team_id,
      splitFrom: row.id,
      links: moved
        .filter((l) => l && l.entity_type !== 'shipment')
        .map((l) => ({ entityType: l!.entity_type, entityId: l!.entity_id })),
      entries: entries.map((e) => ({
        type: e.type,
        occurredAt: e.occurred_at,
        data: { ...e.data, copied_from: { case_id: row.id, entry_id: e.id } },
        text: e.text,
      })),
      description: input.description,
    },
    now,
  )
  for (const l of moved) await linkStore.deleteLink(trx, ctx.merchantId, row.id, l!.entity_type, l!.entity_id)
  const patch: Updateable<Database['cases']> = {}
  if (movedShipment && row.shipment_id === movedShipment.entity_id)
    Object.assign(patch, { shipment_id: null, carrier_code: null, carrier_name: null, tracking_number: null })
  await linkStore.insertLinks(trx, [
    {
      merchant_id: ctx.merchantId,
      case_id: row.id,
      entity_type: 'case',
      entity_id: split.id,
      summary: JSON.stringify({
        number: caseNumber(split.number),
        subject: split.subject,
        status: split.status,
        case_type: split.type_key,
        split: true,
      }),
      created_at: now,
    },
  ])
  const original = await applyChange(
    trx,
    ctx,
    row,
    {
      action: 'case.split',
      patch,
      events: [
        {
          type: 'case.split',
          data: {
            split_id: split.id,
            moved_links: moved.map((l) => ({ entity_type: l!.entity_type, entity_id: l!.entity_id })),
          },
        },
      ],
      timeline: [
        {
          type: 'split',
          data: { split_id: split.id, number: caseNumber(split.number), entries: entryIds.length, links: moved.length },
          text: `Split ${caseNumber(split.number)} off: ${input.subject}`,
        },
      ],
    },
    now,
  )
  return { original, split }
}
