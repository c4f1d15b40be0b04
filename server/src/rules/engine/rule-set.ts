import { sql } from 'kysely'
import type { AppContext } from '../../context.js'
import type { Db } from '../../db/owned.js'
import type { CompiledRule, RuleMode, TriggerKind } from '../types.js'

export type LoadedRule = {
  id: string
  name: string
  version: number
  mode: Exclude<RuleMode, 'disabled'>
  priority: number
  stopProcessing: boolean
  compiled: CompiledRule
  triggers: ReadonlySet<TriggerKind>
}

export type RuleSettings = { maxDepth: number; repeatLimit: number; repeatWindowMinutes: number }
export type RuleSet = { revision: string; rules: LoadedRule[]; settings: RuleSettings }

// Per app (a test file's app is its own), per workspace: the rules as of a revision. A change bumps the revision in
// rule_settings, so each process reloads on its next event; one primary-key read per event checks it.
const caches = new WeakMap<AppContext, Map<string, RuleSet>>()

/** The workspace's running rules (active and shadow) in priority order, from the cache while its revision holds. */
export async function ruleSetOf(app: AppContext, db: Db, merchantId: string): Promise<RuleSet | null> {
  const row = await db
    .selectFrom('rule_settings')
    .select(['revision', 'max_depth', 'repeat_limit', 'repeat_window_minutes'])
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
  if (!row) return null
  let cache = caches.get(app)
  if (!cache) caches.set(app, (cache = new Map()))
  const cached = cache.get(merchantId)
  if (cached?.revision === String(row.revision)) return cached
  const rules = await db
    .selectFrom('rules')
    .select(['id', 'name', 'version', 'mode', 'priority', 'stop_processing', 'compiled', 'triggers'])
    .where('merchant_id', '=', merchantId)
    .where('deleted_at', 'is', null)
    .where('mode', '<>', 'disabled')
    .orderBy('priority')
    .orderBy('id')
    .execute()
  const set: RuleSet = {
    revision: String(row.revision),
    settings: {
      maxDepth: row.max_depth,
      repeatLimit: row.repeat_limit,
      repeatWindowMinutes: row.repeat_window_minutes,
    },
    rules: rules.map((r) => ({
      id: r.id,
      name: r.name,
      version: r.version,
      mode: r.mode as LoadedRule['mode'],
      priority: r.priority,
      stopProcessing: r.stop_processing,
      compiled: r.compiled,
      triggers: new Set(r.triggers),
    })),
  }
  cache.set(merchantId, set)
  return set
}

/**
 * Of a relay batch's workspaces, the trigger kinds each one's running rules have (one query), and which have no
 * rule settings yet (their default pack is written on their first event).
 */
export async function triggersByWorkspace(db: Db, merchantIds: string[]) {
  const rows = await db
    .selectFrom('rule_settings as s')
    .leftJoin(
      sql<{ merchant_id: string; t: TriggerKind }>`(select merchant_id, unnest(triggers) as t from rules
        where deleted_at is null and mode <> 'disabled' and merchant_id = any(${merchantIds}::uuid[]))`.as('r'),
      'r.merchant_id',
      's.merchant_id',
    )
    .select(['s.merchant_id', sql<TriggerKind[]>`array_remove(array_agg(distinct r.t), null)`.as('triggers')])
    .where('s.merchant_id', 'in', merchantIds)
    .groupBy('s.merchant_id')
    .execute()
  return new Map(rows.map((r) => [r.merchant_id, new Set(r.triggers)]))
}
