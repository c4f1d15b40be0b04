import type { Transaction } from 'kysely'
import { can, type ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import type { CaseSort } from '../store/case-list.js'
import type { Db } from '../store/cases.js'
import * as viewStore from '../store/views.js'
import type { ViewRow } from '../store/views.js'
import { recordAuditFor } from '../../changes.js'

type Trx = Transaction<Database>

/** A saved inbox view: GET /cases filters and a sort, a person's own or shared with the workspace. */
export type CaseView = {
  id: string
  name: string
  shared: boolean
  builtin: boolean
  owner_id: string | null
  filters: Record<string, unknown>
  sort: CaseSort
  position: number
  created_at: Date | null
  updated_at: Date | null
}

// What every workspace starts with; `assignee_id: me` is the person looking.
const builtins: Omit<CaseView, 'created_at' | 'updated_at'>[] = (
  [
    { id: 'mine', name: 'Mine', filters: { assignee_id: 'me', status: 'unresolved' }, sort: 'priority_desc' },
    {
      id: 'unassigned',
      name: 'Unassigned',
      filters: { assignee_id: 'none', status: 'unresolved' },
      sort: 'created_asc',
    },
    { id: 'all_open', name: 'All open', filters: { status: 'unresolved' }, sort: 'created_desc' },
    {
      id: 'new_today',
      name: 'New in the last 24 h',
      filters: { status: 'unresolved', age: '0_24h' },
      sort: 'created_desc',
    },
  ] as const
).map((v, i) => ({ ...v, shared: true, builtin: true, owner_id: null, position: i - 100 }))

const toView = (r: ViewRow): CaseView => ({
  id: r.id,
  name: r.name,
  shared: r.owner_id === null,
  builtin: false,
  owner_id: r.owner_id,
  filters: r.filters,
  sort: r.sort as CaseSort,
  position: r.position,
  created_at: r.created_at,
  updated_at: r.updated_at,
})

/** Only people have views of their own; an API key sees the shared ones. */
const ownerOf = (ctx: ServiceContext) => (ctx.actor.type === 'user' ? ctx.actor.id : null)

export async function listViews(db: Db, ctx: ServiceContext): Promise<CaseView[]> {
  return [
    ...builtins.map((b) => ({ ...b, created_at: null, updated_at: null })),
    ...(await viewStore.listViews(db, ctx.merchantId, ownerOf(ctx))).map(toView),
  ]
}

export type ViewInput = {
  name?: string
  shared?: boolean
  filters?: Record<string, unknown>
  sort?: CaseSort
  position?: number
}
function checkOwner(ctx: ServiceContext, shared: boolean) {
  if (shared && !can(ctx.actor, 'cases.configure'))
    throw new AppError('forbidden', 'Sharing views with the workspace needs the cases.configure permission', {
      permission: 'cases.configure',
    })
  if (!shared && !ownerOf(ctx))
    throw new AppError('forbidden', 'Only people have views of their own; create a shared view or sign in as a person')
}

async function saving<T>(fn: () => Promise<T>, name: string): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    if ((e as { code?: string }).code === '23505')
      throw new AppError('view_name_taken', 'A view with this name exists', { name })
    throw e
  }
}

export async function createView(
  trx: Trx,
  ctx: ServiceContext,
  input: Required<Pick<ViewInput, 'name' | 'filters'>> & ViewInput,
  now: Date,
): Promise<CaseView> {
  const shared = input.shared ?? false
  checkOwner(ctx, shared)
  const row = await saving(
    () =>
      viewStore.insertView(trx, {
        merchant_id: ctx.merchantId,
        id: newId(),
        owner_id: shared ? null : ownerOf(ctx),
        name: input.name,
        filters: JSON.stringify(input.filters),
        sort: input.sort ?? 'created_desc',
        position: input.position ?? 0,
        created_by: ownerOf(ctx),
        created_at: now,
        updated_at: now,
      }),
    input.name,
  )
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'case_view.created',
      entityType: 'case_view',
      entityId: row.id,
      after: toView(row),
    },
    now,
  )
  return toView(row)
}

async function ownView(db: Db, ctx: ServiceContext, id: string): Promise<ViewRow> {
  const row = await viewStore.findView(db, ctx.merchantId, id)
  // Another person's own view does not exist as far as this person is concerned.
  if (!row || (row.owner_id !== null && row.owner_id !== ownerOf(ctx)))
    throw new AppError('view_not_found', 'No such view', { view_id: id })
  checkOwner(ctx, row.owner_id === null)
  return row
}

export async function updateView(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  input: ViewInput,
  now: Date,
): Promise<CaseView> {
  const before = await ownView(trx, ctx, id)
  if (input.shared !== undefined) checkOwner(ctx, input.shared)
  const shared = input.shared ?? before.owner_id === null
  const row = await saving(
    () =>
      viewStore.updateView(trx, ctx.merchantId, id, {
        name: input.name,
        owner_id: shared ? null : (before.owner_id ?? ownerOf(ctx)),
        filters: input.filters ? JSON.stringify(input.filters) : undefined,
        sort: input.sort,
        position: input.position,
        updated_at: now,
      }),
    input.name ?? before.name,
  )
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'case_view.updated',
      entityType: 'case_view',
      entityId: id,
      before: toView(before),
      after: toView(row),
    },
    now,
  )
  return toView(row)
}

export async function deleteView(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<void> {
  const before = await ownView(trx, ctx, id)
  await viewStore.deleteView(trx, ctx.merchantId, id)
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'case_view.deleted',
      entityType: 'case_view',
      entityId: id,
      before: toView(before),
    },
    now,
  )
}
