import { sql } from 'kysely'
import type { AppContext } from '../../context.js'
import type { Db, Trx } from '../../db/owned.js'
import { ensureDefaultRules } from '../default-pack.js'
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
export async function ruleSetOf(app: AppContext, trx: Trx, merchantId: string, now: Date): Promise<RuleSet> {
  const settings = () =>
    trx
      .selectFrom('rule_settings')
      .select(['revision', 'max_depth', 'repeat_limit', 'repeat_window_minutes', 'seeded_at'])
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst()
  let row = await settings()
  // A workspace older than the rules module gets its default pack on its first event.
  if (!row?.seeded_at) {
    await ensureDefaultRules(trx, merchantId, now)
    row = (await settings())!
  }
  const db = trx
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
 * Of a relay batch's workspaces, the trigger kinds each one's running rules have (one query). A workspace missing
 * from the map has no default pack yet: its first event writes it.
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
    .where('s.seeded_at', 'is not', null)
    .groupBy('s.merchant_id')
    .execute()
  return new Map(rows.map((r) => [r.merchant_id, new Set(r.triggers)]))
}
