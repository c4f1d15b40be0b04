import type { Transaction, Updateable } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { getTeam } from '../../teams/service.js'
import { assertTransition, assertUnresolved, isResolved, transitions } from '../lifecycle.js'
import type { CaseChangeEvent } from '../events.js'
import type { CaseRow } from '../store/cases.js'
import * as followerStore from '../store/followers.js'
import type { CaseStatus, ChecklistItem, Priority, ResolutionCode, RootCause } from '../tables.js'
import { caseNumber, toCase, type Money } from '../types.js'
import { applyChange, lockWorkingCase } from './change.js'
import { getCaseType, validateCustomFields } from './case-types.js'
import { checkIncidentParent } from './incidents.js'
import { notifyUsers } from './notifications.js'
import { checkAssignee, notifyAssignee, openCase } from './open-case.js'
import { getCaseSettings } from './case-settings.js'

type Trx = Transaction<Database>

export type CasePatch = {
  subject?: string
  priority?: Priority
  teamId?: string | null
  tags?: string[]
  addTags?: string[]
  removeTags?: string[]
  customFields?: Record<string, unknown>
  rootCause?: RootCause | null
  faultParty?: string | null
  productSku?: string | null
  value?: Money | null
  checklist?: { key: string; done: boolean }[]
  parentId?: string | null
  /** Set by a refund approval only (the demo's finance step stands in for one); never from PATCH /cases/{id}. */
  refundAuthorisedBy?: string | null
}

export async function updateCase(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  p: CasePatch,
  now: Date,
): Promise<CaseRow> {
  const row = await lockWorkingCase(trx, ctx.merchantId, caseId)
  const patch: Updateable<Database['cases']> = {}
  const timeline = []
  // What the timeline says changed, by API field name (the console words it for people).
  const changes: Record<string, unknown> = {}
  const change = (field: string, from: unknown, to: unknown) => {
    changes[field] = { from, to }
  }
  if (p.subject !== undefined && p.subject !== row.subject) {
    patch.subject = p.subject
    change('subject', row.subject, p.subject)
  }
  if (p.priority && p.priority !== row.priority) {
    patch.priority = p.priority
    timeline.push({
      type: 'priority_changed',
      data: { from: row.priority, to: p.priority },
      text: `Priority ${p.priority}`,
    })
  }
  if (p.teamId !== undefined && p.teamId !== row.team_id) {
    if (p.teamId)
      await getTeam(trx, ctx.merchantId, p.teamId).catch(() => {
        throw new AppError('link_target_not_found', 'No such team', { field: 'team_id', id: p.teamId })
      })
    patch.team_id = p.teamId
    change('team_id', row.team_id, p.teamId)
  }
  if (p.tags || p.addTags || p.removeTags) {
    const tags = new Set(p.tags ?? row.tags)
    for (const t of p.addTags ?? []) tags.add(t)
    for (const t of p.removeTags ?? []) tags.delete(t)
    const next = [...tags].sort()
    if (next.join('\n') !== [...row.tags].sort().join('\n')) {
      patch.tags = next
      changes.tags = { added: next.filter((t) => !row.tags.includes(t)), removed: row.tags.filter((t) => !tags.has(t)) }
    }
  }
  if (p.customFields) {
    const type = await getCaseType(trx, ctx.merchantId, row.type_key)
    const merged = Object.fromEntries(
      Object.entries({ ...row.custom_fields, ...p.customFields }).filter(([, v]) => v !== null),
    )
    validateCustomFields(type.custom_fields, p.customFields, false)
    validateCustomFields(type.custom_fields, merged, true)
    patch.custom_fields = JSON.stringify(merged)
    const changed = Object.keys(p.customFields).filter((k) => row.custom_fields[k] !== merged[k])
    const values = (of: Record<string, unknown>) => Object.fromEntries(changed.map((k) => [k, of[k] ?? null]))
    change('custom_fields', values(row.custom_fields), values(merged))
  }
  if (p.checklist) {
    const byKey = new Map(p.checklist.map((i) => [i.key, i.done]))
    const unknown = [...byKey.keys()].filter((k) => !row.checklist.some((i) => i.key === k))
    if (unknown.length)
      throw new AppError('validation_failed', 'Unknown checklist items', {
        errors: unknown.map((k) => ({ path: 'body/checklist', message: `no item ${k}` })),
      })
    patch.checklist = JSON.stringify(
      row.checklist.map((i): ChecklistItem => ({ ...i, done: byKey.get(i.key) ?? i.done })),
    )
    const flipped = row.checklist.filter((i) => byKey.has(i.key) && byKey.get(i.key) !== i.done)
    changes.checklist = {
      done: flipped.filter((i) => !i.done).map((i) => i.label),
      undone: flipped.filter((i) => i.done).map((i) => i.label),
    }
  }
  if (p.rootCause !== undefined && p.rootCause !== row.root_cause) {
    patch.root_cause = p.rootCause
    change('root_cause', row.root_cause, p.rootCause)
  }
  if (p.faultParty !== undefined && p.faultParty !== row.fault_party) {
    patch.fault_party = p.faultParty
    change('fault_party', row.fault_party, p.faultParty)
  }
  if (p.productSku !== undefined && p.productSku !== row.product_sku) {
    patch.product_sku = p.productSku
    change('product_sku', row.product_sku, p.productSku)
  }
  const value = toCase(row).value
  if (
    p.value !== undefined &&
    (p.value?.amount_minor !== value?.amount_minor || p.value?.currency !== value?.currency)
  ) {
    patch.value_amount_minor = p.value?.amount_minor ?? null
    patch.value_currency = p.value?.currency ?? null
    change('value', value, p.value)
  }
  if (p.refundAuthorisedBy !== undefined && p.refundAuthorisedBy !== row.refund_authorised_by) {
    if (p.refundAuthorisedBy) await checkAssignee(trx, ctx.merchantId, p.refundAuthorisedBy)
    patch.refund_authorised_by = p.refundAuthorisedBy
    change('refund_authorised_by', row.refund_authorised_by, p.refundAuthorisedBy)
  }
  if (p.parentId !== undefined && p.parentId !== row.parent_id) {
    if (p.parentId) await checkIncidentParent(trx, ctx.merchantId, p.parentId, row.id)
    patch.parent_id = p.parentId
    change('parent_id', row.parent_id, p.parentId)
  }
  const fields = Object.keys(changes)
  if (fields.length) timeline.push({ type: 'fields_changed', data: { fields, changes }, text: '' })
  if (!Object.keys(patch).length) return row
  return applyChange(trx, ctx, row, { action: 'case.updated', patch, timeline }, now)
}

export type StatusInput = {
  status: CaseStatus
  resolutionCode?: ResolutionCode
  resolutionNote?: string | null
  rootCause?: RootCause | null
  faultParty?: string | null
  reason?: string
}

export async function changeStatus(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  input: StatusInput,
  now: Date,
): Promise<CaseRow> {
  const row = await lockWorkingCase(trx, ctx.merchantId, caseId)
  if (input.status === row.status) return row
  if (isResolved(row.status) && input.status === 'open')
    return reopenCase(trx, ctx, caseId, { reason: input.reason }, now, row)
  assertTransition(row.id, row.status, input.status)
  const patch: Updateable<Database['cases']> = { status: input.status }
  const events: CaseChangeEvent[] = []
  if (input.status === 'resolved') {
    if (!input.resolutionCode)
      throw new AppError('resolution_required', 'Resolving a case needs a resolution code', { case_id: row.id })
    Object.assign(patch, {
      resolution_code: input.resolutionCode,
      resolution_note: input.resolutionNote ?? null,
      resolved_at: now,
    })
    if (input.rootCause !== undefined) patch.root_cause = input.rootCause
    if (input.faultParty !== undefined) patch.fault_party = input.faultParty
    events.push({
      type: 'case.resolved',
      data: { resolution_code: input.resolutionCode, root_cause: patch.root_cause ?? row.root_cause },
    })
  }
  if (input.status === 'closed') {
    patch.closed_at = now
    events.push({ type: 'case.closed', data: {} })
  }
  const text =
    input.status === 'resolved'
      ? `Resolved: ${input.resolutionCode}${input.resolutionNote ? ` ${input.resolutionNote}` : ''}`
      : `Status ${input.status}`
  const resolution =
    input.status === 'resolved'
      ? { root_cause: patch.root_cause ?? row.root_cause, resolution_note: input.resolutionNote ?? null }
      : {}
  return applyChange(
    trx,
    ctx,
    row,
    {
      action: `case.${input.status === 'resolved' ? 'resolved' : input.status === 'closed' ? 'closed' : 'status_changed'}`,
      patch,
      events,
      timeline: [
        {
          type: 'status_changed',
          text,
          data: {
            from: row.status,
            to: input.status,
            resolution_code: input.resolutionCode ?? null,
            ...resolution,
            reason: input.reason ?? null,
          },
        },
      ],
    },
    now,
  )
}

/**
 * Resolved cases, and closed ones within the reopen window, reopen to `open`; a case closed longer
 * ago stays closed and a linked follow-up case is opened instead (returned).
 */
export async function reopenCase(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  input: { reason?: string; reopenWindowHours?: number },
  now: Date,
  locked?: CaseRow,
): Promise<CaseRow> {
  const row = locked ?? (await lockWorkingCase(trx, ctx.merchantId, caseId))
  if (!isResolved(row.status))
    throw new AppError('case_transition_invalid', `A ${row.status} case is not resolved, so it cannot be reopened`, {
      case_id: row.id,
      status: row.status,
      requested: 'open',
      allowed: transitions[row.status],
    })
  const windowMs =
    (input.reopenWindowHours ?? (await getCaseSettings(trx, ctx.merchantId)).reopen_window_hours) * 3_600_000
  if (row.status === 'closed' && row.closed_at && now.getTime() - row.closed_at.getTime() > windowMs) {
    const follow = await openCase(
      trx,
      ctx,
      {
        caseType: row.type_key,
        subject: `Follow-up: ${row.subject}`.slice(0, 300),
        priority: row.priority,
        channel: row.channel,
        source: 'follow_up',
        customerId: row.customer_id,
        orderId: row.order_id,
        shipmentId: row.shipment_id,
        teamId: row.team_id,
        assigneeId: row.assignee_id,
        tags: row.tags,
        followUpOf: row.id,
        description: input.reason,
        value: toCase(row).value,
      },
      now,
    )
    await applyChange(
      trx,
      ctx,
      row,
      {
        action: 'case.followed_up',
        patch: {},
        acts: false,
        timeline: [
          {
            type: 'follow_up',
            data: { follow_up_id: follow.id, number: caseNumber(follow.number), reason: input.reason ?? null },
            text: `Follow-up ${caseNumber(follow.number)}`,
          },
        ],
      },
      now,
    )
    return follow
  }
  return applyChange(
    trx,
    ctx,
    row,
    {
      action: 'case.reopened',
      patch: {
        status: 'open',
        resolution_code: null,
        resolved_at: null,
        closed_at: null,
        reopen_count: row.reopen_count + 1,
      },
      events: [{ type: 'case.reopened', data: { from: row.status, reason: input.reason ?? null } }],
      timeline: [
        {
          type: 'reopened',
          data: { from: row.status, previous_resolution: row.resolution_code, reason: input.reason ?? null },
          text: `Reopened${input.reason ? `: ${input.reason}` : ''}`,
        },
      ],
    },
    now,
  )
}

export async function assignCase(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  input: { assigneeId: string | null; teamId?: string | null; how?: string },
  now: Date,
): Promise<CaseRow> {
  const row = await lockWorkingCase(trx, ctx.merchantId, caseId)
  if (input.assigneeId) await checkAssignee(trx, ctx.merchantId, input.assigneeId)
  if (input.teamId)
    await getTeam(trx, ctx.merchantId, input.teamId).catch(() => {
      throw new AppError('link_target_not_found', 'No such team', { field: 'team_id', id: input.teamId })
    })
  const patch: Updateable<Database['cases']> = {}
  if (input.assigneeId !== row.assignee_id) patch.assignee_id = input.assigneeId
  if (input.teamId !== undefined && input.teamId !== row.team_id) patch.team_id = input.teamId
  if (!Object.keys(patch).length) return row
  const after = await applyChange(
    trx,
    ctx,
    row,
    {
      action: 'case.assigned',
      patch,
      events: [{ type: 'case.assigned', data: { previous_assignee_id: row.assignee_id, how: input.how ?? 'manual' } }],
      timeline: [
        {
          type: 'assigned',
          data: {
            from: row.assignee_id,
            to: input.assigneeId,
            team_id: input.teamId ?? row.team_id,
            how: input.how ?? 'manual',
          },
          text: '',
        },
      ],
    },
    now,
  )
  await notifyAssignee(trx, ctx, row, input.assigneeId, now)
  return after
}

/** SLA steps and rules call this too. */
export async function escalateCase(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  input: { reason: string; level?: number },
  now: Date,
): Promise<CaseRow> {
  const row = await lockWorkingCase(trx, ctx.merchantId, caseId)
  assertUnresolved(row, 'cannot be escalated')
  const level = Math.max(input.level ?? row.escalation_level + 1, row.escalation_level + 1)
  const after = await applyChange(
    trx,
    ctx,
    row,
    {
      action: 'case.escalated',
      patch: { escalation_level: level, escalation_reason: input.reason },
      events: [{ type: 'case.escalated', data: { level, reason: input.reason } }],
      timeline: [
        {
          type: 'escalated',
          data: { level, reason: input.reason },
          text: `Escalated to level ${level}: ${input.reason}`,
        },
      ],
    },
    now,
  )
  const followers = await followerStore.listFollowers(trx, ctx.merchantId, row.id)
  await notifyUsers(
    trx,
    ctx.merchantId,
    followers.filter((u) => u !== ctx.actor.id),
    { caseId: row.id, cause: `escalated:${level}`, title: `${caseNumber(row.number)} escalated: ${input.reason}` },
    now,
  )
  return after
}

const mentionPattern = /@\[([^\]]{1,200})\]\(([0-9a-f-]{36})\)/gi

/** An internal note; `@[Name](user-id)` mentions notify those people and make them followers. */
export async function addNote(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  input: { body: string },
  now: Date,
): Promise<{ row: CaseRow; mentions: string[] }> {
  const row = await lockWorkingCase(trx, ctx.merchantId, caseId)
  const mentions = [...new Set([...input.body.matchAll(mentionPattern)].map((m) => m[2]!.toLowerCase()))]
  // What people read (notifications) and search finds: `@Name`, not the markup.
  const plain = input.body.replace(mentionPattern, '@$1')
  for (const m of mentions) await checkAssignee(trx, ctx.merchantId, m)
  const after = await applyChange(
    trx,
    ctx,
    row,
    {
      action: 'case.noted',
      patch: {},
      events: [{ type: 'case.note_added', data: { mentions } }],
      timeline: [{ type: 'note', data: { body: input.body, mentions }, text: plain }],
    },
    now,
  )
  if (mentions.length) {
    await followerStore.insertFollowers(trx, ctx.merchantId, row.id, mentions, now)
    await notifyUsers(
      trx,
      ctx.merchantId,
      mentions.filter((u) => u !== ctx.actor.id),
      {
        caseId: row.id,
        cause: 'mention',
        title: `Mentioned on ${caseNumber(row.number)}`,
        body: plain.slice(0, 500),
        dedupKey: `${row.id}:mention:${now.getTime()}`,
      },
      now,
    )
  }
  return { row: after, mentions }
}
