import { cursorValues, decodeCursor, encodeCursor } from '../../cursors.js'
import type { Db } from '../../db/owned.js'
import * as store from '../store.js'
import type { ActionOutcome, ConditionSeen, ExecutionOutcome, TriggerKind } from '../types.js'

export type Execution = {
  id: string
  rule_id: string
  rule_name: string
  rule_version: number
  outcome: ExecutionOutcome
  skip_reason: string | null
  trigger: TriggerKind
  trigger_key: string
  event_id: string | null
  event_type: string | null
  case_id: string | null
  shipment_id: string | null
  depth: number
  conditions: ConditionSeen[]
  actions: ActionOutcome[]
  error: string | null
  occurred_at: Date
  created_at: Date
}

const toExecution = (r: store.ExecutionRow): Execution => ({
  id: r.id,
  rule_id: r.rule_id,
  rule_name: r.rule_name,
  rule_version: r.rule_version,
  outcome: r.outcome,
  skip_reason: r.skip_reason,
  trigger: r.trigger,
  trigger_key: r.trigger_key,
  event_id: r.event_id,
  event_type: r.event_type,
  case_id: r.case_id,
  shipment_id: r.shipment_id,
  depth: r.depth,
  conditions: r.conditions,
  actions: r.actions,
  error: r.error,
  occurred_at: r.occurred_at,
  created_at: r.created_at,
})

export type ExecutionQuery = Omit<store.ExecutionFilter, 'after' | 'limit'> & { cursor?: string; limit?: number }

/** The execution log, newest first, one page at a time (the cursor is the last row's instant and id). */
export async function listExecutions(
  db: Db,
  merchantId: string,
  query: ExecutionQuery,
): Promise<{ data: Execution[]; next_cursor: string | null }> {
  const { cursor, limit = 50, ...filter } = query
  const after = cursor ? (cursorValues(decodeCursor(cursor), ['timestamp', 'uuid']) as [string, string]) : undefined
  const rows = await store.listExecutions(db, merchantId, { ...filter, after, limit: limit + 1 })
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return {
    data: page.map(toExecution),
    next_cursor: rows.length > limit && last ? encodeCursor([last.cursor_at, last.id]) : null,
  }
}
