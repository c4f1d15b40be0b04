import { sql, type Transaction } from 'kysely'
import { heldWrites } from '../db/held-writes.js'
import type { Database } from '../db/schema.js'

export const liveChannel = 'claimdesk_live'

/** What the console hears: a case event for a workspace, or a notification for one person in it. */
export type LiveMessage = { merchant_id: string; user_id?: string | null; type: string; data: Record<string, unknown> }

/**
 * Publishes to every process's live streams when the caller's transaction commits (NOTIFY is
 * transactional: a rolled-back change announces nothing). Keep `data` small: NOTIFY carries 8 kB.
 */
export async function publishLive(trx: Transaction<Database>, messages: LiveMessage[]): Promise<void> {
  if (messages.length) await heldMessages.write(trx, messages)
}

async function notify(trx: Transaction<Database>, messages: LiveMessage[]): Promise<void> {
  if (!messages.length) return
  await sql`select pg_notify(${liveChannel}, m) from unnest(${sql.val(messages.map((m) => JSON.stringify(m)))}::text[]) as m`.execute(
    trx,
  )
}

// Transactions whose live messages are held back and sent together when their batch of work ends.
const heldMessages = heldWrites(notify)

/** Runs a batch of work in `trx` with its live messages sent in one statement at the end (see heldWrites). */
export const withLiveHeld = <T>(trx: Transaction<Database>, work: () => Promise<T>): Promise<T> =>
  heldMessages.hold(trx, work)
