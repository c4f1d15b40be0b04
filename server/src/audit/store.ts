import { sql, type ExpressionBuilder, type Insertable, type Kysely, type Selectable } from 'kysely'
import { type Trx, ownedRows, selectOwned } from '../db/owned.js'
import type { Database } from '../db/schema.js'
import type { ChainedEntry } from './canonical.js'
import { names, unnest, type Columns } from '../db/multi-row.js'

type Db = Kysely<Database>

export type ChainHead = { seq: number; hash: Buffer }
export type CheckpointRow = Selectable<Database['audit_checkpoints']>

const entryColumns = [
  'e.merchant_id',
  'e.id',
  'e.occurred_at',
  'e.actor_type',
  'e.actor_id',
  'e.action',
  'e.entity_type',
  'e.entity_id',
  'e.changes',
  'e.request_id',
] as const

const entryInsertColumns: Columns<Insertable<Database['audit_entries']>> = [
  ['merchant_id', 'uuid'],
  ['id', 'uuid'],
  ['occurred_at', 'timestamptz'],
  ['actor_type', 'text'],
  ['actor_id', 'text'],
  ['action', 'text'],
  ['entity_type', 'text'],
  ['entity_id', 'text'],
  ['changes', 'jsonb'],
  ['request_id', 'text'],
]

// The entries and their places in the sequencer's queue in one statement: one round trip per change or per batch.
export async function insertEntries(trx: Trx, rows: Insertable<Database['audit_entries']>[]): Promise<void> {
  if (!rows.length) return
  await sql`with entry as (
      insert into audit_entries (${names(entryInsertColumns)}) select * from ${unnest(rows, entryInsertColumns)} returning merchant_id, id
    ) insert into audit_pending (merchant_id, entry_id) select merchant_id, id from entry`.execute(trx)
}

export async function findPepper(trx: Trx, merchantId: string): Promise<Buffer | undefined> {
  const row = await trx.selectFrom('merchants').select('audit_pepper').where('id', '=', merchantId).executeTakeFirst()
  return row?.audit_pepper
}

export async function listMerchants(db: Db): Promise<{ id: string; slug: string }[]> {
  return db.selectFrom('merchants').select(['id', 'slug']).orderBy('slug').execute()
}

/** One sequencer at a time, cluster-wide; released at commit. */
export async function tryLockSequencer(trx: Trx, key: number): Promise<boolean> {
  const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${key}::bigint) as locked`.execute(
    trx,
  )
  return rows[0]!.locked
}

// Only committed entries are visible here (read committed), so the chain follows commit order.
export async function listPendingEntries(trx: Trx, limit: number): Promise<ChainedEntry[]> {
  return trx
    .selectFrom('audit_pending as p')
    .innerJoin('audit_entries as e', (j) =>
      j.onRef('e.merchant_id', '=', 'p.merchant_id').onRef('e.id', '=', 'p.entry_id'),
    )
    .select(entryColumns)
    .orderBy('p.entry_id')
    .limit(limit)
    .execute()
}

export async function findChainHeads(trx: Trx, merchantIds: string[]): Promise<Map<string, ChainHead>> {
  const { rows } = await sql<{ merchant_id: string; seq: number; hash: Buffer }>`
    select m.merchant_id, c.seq, c.hash
    from unnest(${merchantIds}::uuid[]) as m (merchant_id)
    cross join lateral (
      select seq, hash from audit_chain where merchant_id = m.merchant_id order by seq desc limit 1
    ) c`.execute(trx)
  return new Map(rows.map((r) => [r.merchant_id, { seq: r.seq, hash: r.hash }]))
}

export async function insertChainLinks(trx: Trx, rows: Insertable<Database['audit_chain']>[]): Promise<void> {
  if (rows.length) await trx.insertInto('audit_chain').values(rows).execute()
}

export async function deletePending(trx: Trx, keys: { merchant_id: string; entry_id: string }[]): Promise<void> {
  if (!keys.length) return
  await trx
    .deleteFrom('audit_pending')
    .where((eb) =>
      eb(
        eb.refTuple('merchant_id', 'entry_id'),
        'in',
        keys.map((k) => eb.tuple(k.merchant_id, k.entry_id)),
      ),
    )
    .execute()
}

/** Runs `fn` on one consistent, read-only snapshot, so a long read never sees the sequencer half-way. */
export async function readSnapshot<T>(db: Db, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn)
}

/** Chain links in seq order, each with its entry (all null when the entry row is gone). */
export async function listChainPage(db: Db, merchantId: string, afterSeq: number, limit: number) {
  return db
    .selectFrom('audit_chain as c')
    .leftJoin('audit_entries as e', (j) =>
      j.onRef('e.merchant_id', '=', 'c.merchant_id').onRef('e.id', '=', 'c.entry_id'),
    )
    .select(['c.seq', 'c.entry_id', 'c.prev_hash', 'c.hash', 'c.chained_at', ...entryColumns])
    .where('c.merchant_id', '=', merchantId)
    .where('c.seq', '>', afterSeq)
    .orderBy('c.seq')
    .limit(limit)
    .execute()
}

export async function listCheckpoints(
  db: Db,
  merchantId: string,
  range: { afterSeq: number; upToSeq?: number; limit: number },
): Promise<CheckpointRow[]> {
  let q = ownedRows(db, 'audit_checkpoints', merchantId)
    .where('seq', '>', range.afterSeq)
    .orderBy('seq')
    .limit(range.limit)
  if (range.upToSeq !== undefined) q = q.where('seq', '<=', range.upToSeq)
  return q.execute()
}

/** The rows of `table` (the chain or the sequencer's queue) that name the entry `e`. */
function namingEntry(
  eb: ExpressionBuilder<Database & { e: Database['audit_entries'] }, 'e'>,
  table: 'audit_chain' | 'audit_pending',
) {
  const t = table as 'audit_pending' // both name an entry by (merchant_id, entry_id), which is all this reads
  return eb
    .selectFrom(t)
    .select(eb.lit(1).as('one'))
    .whereRef(`${t}.merchant_id`, '=', 'e.merchant_id')
    .whereRef(`${t}.entry_id`, '=', 'e.id')
}

/** An entry that is neither waiting for the sequencer nor chained: its link was removed. */
export async function findUnchainedEntry(db: Db, merchantId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('audit_entries as e')
    .select('e.id')
    .where('e.merchant_id', '=', merchantId)
    .where((eb) => eb.not(eb.exists(namingEntry(eb, 'audit_chain'))))
    .where((eb) => eb.not(eb.exists(namingEntry(eb, 'audit_pending'))))
    .limit(1)
    .executeTakeFirst()
  return row?.id
}

export async function listEntityEntries(
  db: Db,
  merchantId: string,
  filter: { entityType: string; entityId: string; after?: string; limit: number },
) {
  let q = db
    .selectFrom('audit_entries as e')
    .leftJoin('audit_chain as c', (j) =>
      j.onRef('c.merchant_id', '=', 'e.merchant_id').onRef('c.entry_id', '=', 'e.id'),
    )
    .select([...entryColumns, 'c.seq', 'c.hash'])
    .where('e.merchant_id', '=', merchantId)
    .where('e.entity_type', '=', filter.entityType)
    .where('e.entity_id', '=', filter.entityId)
    .orderBy('e.id')
    .limit(filter.limit)
  if (filter.after) q = q.where('e.id', '>', filter.after)
  return q.execute()
}

export async function countPending(db: Db, merchantId: string): Promise<number> {
  const row = await selectOwned(db, 'audit_pending', merchantId)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Each merchant whose chain head is beyond its latest checkpoint (one index probe per merchant). */
export async function listUncheckpointedHeads(db: Db): Promise<{ merchant_id: string; seq: number; hash: Buffer }[]> {
  const { rows } = await sql<{ merchant_id: string; seq: number; hash: Buffer }>`
    select m.id as merchant_id, h.seq, h.hash
    from merchants m
    cross join lateral (
      select seq, hash from audit_chain c where c.merchant_id = m.id order by seq desc limit 1
    ) h
    where h.seq > coalesce((select max(seq) from audit_checkpoints k where k.merchant_id = m.id), 0)
    order by m.id`.execute(db)
  return rows
}

/** A concurrent run signing the same head is harmless: the first row stands. */
export async function insertCheckpoint(db: Db, row: Insertable<Database['audit_checkpoints']>): Promise<void> {
  await db
    .insertInto('audit_checkpoints')
    .values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'seq']).doNothing())
    .execute()
}
