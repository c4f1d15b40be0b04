import { sql, type Kysely, type Transaction } from 'kysely'
import { countWhere, deleteBatch, type PlatformPurge } from '../db/purge.js'
import type { ActionState, Database } from '../db/schema.js'
import { newId } from '../ids.js'
import { withLiveHeld } from '../live/publish.js'
import type { ClockHandler, ScheduledAction } from '../modules.js'
import { withEventsHeld } from './outbox.js'

export type ScheduleInput = {
  merchantId: string
  key: string
  task: string
  runAt: Date
  payload: Record<string, unknown>
}

/** The channel a runner listens on: an action was armed to fall due within the claim horizon. */
export const clockChannel = 'claimdesk_clock'
/** How far ahead a runner claims due actions, to hold them in memory and fire each at its instant. */
export const claimHorizonMs = 1000
/** A handler that threw is tried again after 1 s, 4 s, 16 s, 64 s; after the fifth attempt the action is `failed`. */
export const maxAttempts = 5
export const retryDelayMs = (attempts: number) => 1000 * 4 ** (attempts - 1)

/**
 * "Do task at runAt, once." Scheduling a key with a pending action moves it (new time, task and
 * payload); a key whose action fired, failed or was cancelled is armed again: a new pending action,
 * whose handler runs once more. A caller wanting once per episode puts the episode in the key.
 * Returns the action's state: 'scheduled'.
 */
export async function scheduleAction(
  trx: Transaction<Database>,
  input: ScheduleInput,
  now: Date,
): Promise<'scheduled' | 'fired' | 'cancelled'> {
  await scheduleActions(trx, [input], now)
  return 'scheduled'
}

/** scheduleAction for several keys in one statement (a key given twice: its last input). */
export async function scheduleActions(trx: Transaction<Database>, inputs: ScheduleInput[], now: Date): Promise<void> {
  // One row per key: a statement's ON CONFLICT DO UPDATE cannot touch the same row twice.
  const byKey = new Map(inputs.map((i) => [`${i.merchantId}:${i.key}`, i]))
  if (!byKey.size) return
  await trx
    .insertInto('scheduled_actions')
    .values(
      [...byKey.values()].map((input) => ({
        merchant_id: input.merchantId,
        id: newId(),
        key: input.key,
        task: input.task,
        payload: JSON.stringify(input.payload),
        run_at: input.runAt,
        created_at: now,
        fired_at: null,
        last_error: null,
        claimed_by: null,
        claim_until: null,
        ended_at: null,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['merchant_id', 'key'])
        .where('state', '=', 'scheduled')
        .doUpdateSet((eb) => ({
          task: eb.ref('excluded.task'),
          payload: eb.ref('excluded.payload'),
          run_at: eb.ref('excluded.run_at'),
          // A runner holding it at its old instant finds it moved; a runner claims it anew for the new one.
          claimed_by: null,
          claim_until: null,
          attempts: 0,
          last_error: null,
        })),
    )
    .execute()
  // Due within a runner's horizon: wake the runners (delivered at commit) rather than wait for their next poll.
  if (inputs.some((i) => i.runAt.getTime() - Date.now() < claimHorizonMs))
    await sql`select pg_notify(${clockChannel}, '')`.execute(trx)
}

/** Cancels the key's pending action; whether there was one. The key can be scheduled again afterwards. */
export async function cancelAction(trx: Transaction<Database>, merchantId: string, key: string): Promise<boolean> {
  return (await cancelActions(trx, merchantId, [key])) > 0
}

/** Cancels the pending actions of these keys in one statement; how many there were. */
export async function cancelActions(trx: Transaction<Database>, merchantId: string, keys: string[]): Promise<number> {
  if (!keys.length) return 0
  const res = await trx
    .updateTable('scheduled_actions')
    .set({ state: 'cancelled', ended_at: sql<Date>`now()`, claimed_by: null, claim_until: null })
    .where('merchant_id', '=', merchantId)
    .where('key', '=', sql<string>`any(${keys}::text[])`)
    .where('state', '=', 'scheduled')
    .executeTakeFirst()
  return Number(res.numUpdatedRows)
}

/**
 * The key's newest action (its pending one, else the last that fired, failed or was cancelled within
 * the retention period), for callers that arm a key at most once per episode.
 */
export async function findAction(
  db: Kysely<Database> | Transaction<Database>,
  merchantId: string,
  key: string,
): Promise<(ScheduledAction & { state: ActionState }) | undefined> {
  const row = await db
    .selectFrom('scheduled_actions')
    .select(['id', 'key', 'task', 'payload', 'run_at', 'state'])
    .where('merchant_id', '=', merchantId)
    .where('key', '=', key)
    .orderBy(sql`state = 'scheduled'`, 'desc')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row && { ...toAction(merchantId, row), state: row.state }
}

/** A workspace's pending actions due by `until`, soonest first (for firing them at their own instants). */
export async function listDueActions(
  db: Kysely<Database>,
  merchantId: string,
  until: Date,
  limit: number,
): Promise<{ id: string; key: string; runAt: Date }[]> {
  const rows = await db
    .selectFrom('scheduled_actions')
    .select(['id', 'key', 'run_at'])
    .where('merchant_id', '=', merchantId)
    .where('state', '=', 'scheduled')
    .where('run_at', '<=', until)
    .orderBy('run_at')
    .orderBy('id')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ id: r.id, key: r.key, runAt: r.run_at }))
}

/** Every workspace's pending actions due by `until` and claimable (no live claim, no retry backoff), soonest first. */
export async function listDueActionRefs(db: Kysely<Database>, until: Date, limit: number): Promise<ActionRef[]> {
  const rows = await db
    .selectFrom('scheduled_actions')
    .select(['merchant_id', 'id'])
    .where('state', '=', 'scheduled')
    .where('run_at', '<=', until)
    .where((eb) => eb.or([eb('claim_until', 'is', null), eb('claim_until', '<=', until)]))
    .orderBy('run_at')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ merchantId: r.merchant_id, id: r.id }))
}

const toAction = (
  merchantId: string,
  r: { id: string; key: string; task: string; payload: Record<string, unknown>; run_at: Date },
): ScheduledAction => ({ merchantId, id: r.id, key: r.key, task: r.task, payload: r.payload, runAt: r.run_at })

export type FireResult = 'fired' | 'skipped' | 'not_due' | 'retry' | 'failed'
export type ActionRef = { merchantId: string; id: string }

/**
 * Fires due actions together in one transaction, at most once each: their rows are locked by primary
 * key and those still pending and due marked `fired` (the row locks and the state check make a second
 * runner, an expired lease or a replay a no-op), then their handlers run in that transaction. Should
 * one throw, the handlers' work is rolled back and done again a savepoint per action, so only the
 * failing one is undone: its action is retried later (`retryDelayMs`), or marked `failed` after
 * `maxAttempts`, while the others fire. Returns each action's outcome, in the order given.
 */
export async function fireActions(
  trx: Transaction<Database>,
  handlers: Record<string, ClockHandler>,
  ctx: Parameters<ClockHandler>[2],
  refs: ActionRef[],
  now: Date,
  onError: (action: ScheduledAction, err: unknown, final: boolean) => void = () => undefined,
): Promise<FireResult[]> {
  if (!refs.length) return []
  // Each workspace's actions by primary key (merchant_id = $1 and id = any($2)): a plan that cannot
  // wander to the due index, whatever the statistics say. Locked, then judged here.
  const byMerchant = new Map<string, string[]>()
  for (const r of refs) byMerchant.set(r.merchantId, [...(byMerchant.get(r.merchantId) ?? []), r.id])
  const results = new Map<string, FireResult>()
  const rows: Row[] = []
  for (const [merchantId, ids] of byMerchant) {
    const locked = await trx
      .selectFrom('scheduled_actions')
      .select(['merchant_id', 'id', 'key', 'task', 'payload', 'run_at', 'state', 'attempts'])
      .where('merchant_id', '=', merchantId)
      .where('id', '=', sql<string>`any(${ids}::uuid[])`)
      .orderBy('id')
      .forUpdate()
      .execute()
    const due = locked.filter((r) => r.state === 'scheduled' && r.run_at.getTime() <= now.getTime())
    // Moved later meanwhile: whoever claims it next fires it at its new instant. The rest fired or were
    // cancelled elsewhere: skipped.
    const moved = locked.filter((r) => r.state === 'scheduled' && r.run_at.getTime() > now.getTime())
    for (const r of moved) results.set(`${merchantId}:${r.id}`, 'not_due')
    if (moved.length) await setActions(trx, merchantId, moved, { claimed_by: null, claim_until: null })
    if (due.length)
      await trx
        .updateTable('scheduled_actions')
        .set((eb) => ({ state: 'fired', fired_at: now, ended_at: now, attempts: eb('attempts', '+', 1) }))
        .where('merchant_id', '=', merchantId)
        .where('id', '=', sql<string>`any(${due.map((r) => r.id)}::uuid[])`)
        .execute()
    for (const r of due) rows.push({ ...r, attempts: r.attempts + 1 })
  }
  const run = (row: Row) => {
    const handler = handlers[row.task]
    if (!handler) throw new Error(`No clock task "${row.task}"`)
    return handler(trx, toAction(row.merchant_id, row), ctx, now)
  }
  let isolate = false
  if (rows.length) {
    await sql`savepoint clock_batch`.execute(trx)
    try {
      // Together, the batch's events and live messages are written in one statement each; should a handler
      // throw, they are dropped with the savepoint's work, and each action runs again on its own.
      await withEventsHeld(trx, () =>
        withLiveHeld(trx, async () => {
          for (const row of rows) await run(row)
        }),
      )
    } catch (err) {
      await sql`rollback to savepoint clock_batch`.execute(trx)
      isolate = rows.length > 1
      const row = rows[0]!
      if (!isolate) results.set(`${row.merchant_id}:${row.id}`, await failed(trx, row, now, onError, err))
    }
  }
  for (const row of rows) {
    const key = `${row.merchant_id}:${row.id}`
    if (!isolate) {
      if (!results.has(key)) results.set(key, 'fired')
      continue
    }
    await sql`savepoint clock_action`.execute(trx)
    try {
      await run(row)
      await sql`release savepoint clock_action`.execute(trx)
      results.set(key, 'fired')
    } catch (err) {
      await sql`rollback to savepoint clock_action`.execute(trx)
      results.set(key, await failed(trx, row, now, onError, err))
    }
  }
  return refs.map((r) => results.get(`${r.merchantId}:${r.id}`) ?? 'skipped')
}

type Row = {
  merchant_id: string
  id: string
  key: string
  task: string
  payload: Record<string, unknown>
  run_at: Date
  attempts: number
}

/** A handler threw: its action is pending again after its backoff, or failed at its last attempt. */
async function failed(
  trx: Transaction<Database>,
  row: Row,
  now: Date,
  onError: (action: ScheduledAction, err: unknown, final: boolean) => void,
  err?: unknown,
): Promise<FireResult> {
  const final = row.attempts >= maxAttempts
  onError(toAction(row.merchant_id, row), err, final)
  const message = err instanceof Error ? err.message : String(err)
  await setActions(trx, row.merchant_id, [row], {
    state: final ? 'failed' : 'scheduled',
    fired_at: null,
    ended_at: final ? now : null,
    last_error: message.slice(0, 2000),
    claimed_by: null,
    claim_until: final ? null : new Date(now.getTime() + retryDelayMs(row.attempts)),
  })
  return final ? 'failed' : 'retry'
}

function setActions(
  trx: Transaction<Database>,
  merchantId: string,
  rows: { id: string }[],
  set: Partial<{
    state: ActionState
    fired_at: Date | null
    ended_at: Date | null
    last_error: string
    claimed_by: null
    claim_until: Date | null
  }>,
) {
  return trx
    .updateTable('scheduled_actions')
    .set(set)
    .where('merchant_id', '=', merchantId)
    .where('id', '=', sql<string>`any(${rows.map((r) => r.id)}::uuid[])`)
    .execute()
}

/**
 * Fires the key's pending action if it is due at `now` (the demo's history, tests): as `fireActions`.
 * 'skipped' when the key has no pending action.
 */
export async function fireAction(
  trx: Transaction<Database>,
  handlers: Record<string, ClockHandler>,
  ctx: Parameters<ClockHandler>[2],
  merchantId: string,
  key: string,
  now: Date,
): Promise<FireResult> {
  const row = await trx
    .selectFrom('scheduled_actions')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('key', '=', key)
    .where('state', '=', 'scheduled')
    .executeTakeFirst()
  if (!row) return 'skipped'
  const [result] = await fireActions(trx, handlers, ctx, [{ merchantId, id: row.id }], now)
  return result!
}

/** Removes actions that fired, failed or were cancelled more than `retentionDays` ago; how many. */
export async function purgeEndedActions(db: Kysely<Database>, now: Date, retentionDays: number): Promise<number> {
  const before = new Date(now.getTime() - retentionDays * 86_400_000)
  let total = 0
  for (;;) {
    const res = await sql`delete from scheduled_actions where (merchant_id, id) in (
      select merchant_id, id from scheduled_actions where state <> 'scheduled' and ended_at < ${before} limit 5000)`.execute(
      db,
    )
    const n = Number(res.numAffectedRows ?? 0n)
    total += n
    if (n < 5000) return total
  }
}

const endedBefore = (before: Date) => sql<boolean>`state <> 'scheduled' and ended_at < ${before}`

/** Clock actions that fired, failed or were cancelled more than CLOCK_RETENTION_DAYS ago. */
export const clockPurge: PlatformPurge = {
  name: 'clock_actions',
  keepDays: (config) => config.clockRetentionDays,
  purge: (db, before, limit) => deleteBatch(db, 'scheduled_actions', endedBefore(before), limit),
  count: (db, before) => countWhere(db, 'scheduled_actions', endedBefore(before)),
}
