import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import type { ClockHandler, JobHandler, ScheduledAction } from '../modules.js'
import { addJob, removeJob } from './queue.js'

export type ScheduleInput = {
  merchantId: string
  key: string
  task: string
  runAt: Date
  payload: Record<string, unknown>
}

const jobKey = (merchantId: string, key: string) => `clock:${merchantId}:${key}`

/**
 * "Do task at runAt, once." Scheduling the same key again moves a pending action (new time and
 * payload); an action that already fired or was cancelled stays as it is. Returns its state.
 */
export async function scheduleAction(
  trx: Transaction<Database>,
  input: ScheduleInput,
  now: Date,
): Promise<'scheduled' | 'fired' | 'cancelled'> {
  const row = await trx
    .insertInto('scheduled_actions')
    .values({
      merchant_id: input.merchantId,
      id: newId(),
      key: input.key,
      task: input.task,
      payload: JSON.stringify(input.payload),
      run_at: input.runAt,
      created_at: now,
      fired_at: null,
    })
    .onConflict((oc) =>
      oc
        .columns(['merchant_id', 'key'])
        .doUpdateSet((eb) => ({
          task: eb.ref('excluded.task'),
          payload: eb.ref('excluded.payload'),
          run_at: eb.ref('excluded.run_at'),
        }))
        .where('scheduled_actions.state', '=', 'scheduled'),
    )
    .returning(['id', 'state'])
    .executeTakeFirst()
  if (!row) {
    const existing = await trx
      .selectFrom('scheduled_actions')
      .select('state')
      .where('merchant_id', '=', input.merchantId)
      .where('key', '=', input.key)
      .executeTakeFirstOrThrow()
    return existing.state
  }
  await addJob(
    trx,
    'clock:fire',
    { merchant_id: input.merchantId, key: input.key },
    { runAt: input.runAt, jobKey: jobKey(input.merchantId, input.key), jobKeyMode: 'replace' },
  )
  return 'scheduled'
}

export async function cancelAction(trx: Transaction<Database>, merchantId: string, key: string): Promise<boolean> {
  const res = await trx
    .updateTable('scheduled_actions')
    .set({ state: 'cancelled' })
    .where('merchant_id', '=', merchantId)
    .where('key', '=', key)
    .where('state', '=', 'scheduled')
    .executeTakeFirst()
  await removeJob(trx, jobKey(merchantId, key))
  return res.numUpdatedRows > 0n
}

/** A workspace's pending actions due by `until`, soonest first (for firing them at their own instants). */
export async function listDueActions(
  db: Kysely<Database>,
  merchantId: string,
  until: Date,
  limit: number,
): Promise<{ key: string; runAt: Date }[]> {
  const rows = await db
    .selectFrom('scheduled_actions')
    .select(['key', 'run_at'])
    .where('merchant_id', '=', merchantId)
    .where('state', '=', 'scheduled')
    .where('run_at', '<=', until)
    .orderBy('run_at')
    .orderBy('id')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ key: r.key, runAt: r.run_at }))
}

/**
 * Fires a due action at most once: the row lock and the state check make a second job, a replay
 * or a concurrent worker a no-op. The handler runs in the same transaction as the state change.
 */
export async function fireAction(
  trx: Transaction<Database>,
  handlers: Record<string, ClockHandler>,
  ctx: Parameters<ClockHandler>[2],
  merchantId: string,
  key: string,
  now: Date,
): Promise<'fired' | 'skipped' | 'not_due'> {
  const row = await trx
    .selectFrom('scheduled_actions')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('key', '=', key)
    .forUpdate()
    .executeTakeFirst()
  if (row?.state !== 'scheduled') return 'skipped'
  if (row.run_at.getTime() > now.getTime()) return 'not_due' // moved later; its own job will come
  const handler = handlers[row.task]
  if (!handler) throw new AppError('clock_task_unknown', `No clock task "${row.task}"`)
  const action: ScheduledAction = {
    merchantId,
    id: row.id,
    key: row.key,
    task: row.task,
    payload: row.payload,
    runAt: row.run_at,
  }
  await handler(trx, action, ctx, now)
  await trx
    .updateTable('scheduled_actions')
    .set({ state: 'fired', fired_at: now })
    .where('merchant_id', '=', merchantId)
    .where('id', '=', row.id)
    .execute()
  return 'fired'
}

export function clockTasks(handlers: Record<string, ClockHandler>): Record<string, JobHandler> {
  return {
    'clock:fire': async (payload, ctx) => {
      await ctx.db
        .transaction()
        .execute((trx) => fireAction(trx, handlers, ctx, String(payload.merchant_id), String(payload.key), new Date()))
    },
  }
}
