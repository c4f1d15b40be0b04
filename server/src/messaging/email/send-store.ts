import { sql, type Selectable, type Updateable } from 'kysely'
import { type Db, selectKeyed, type Trx, updateKeyed } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import type { Address, RecipientStatus } from '../tables.js'

// The send job's SQL: an outbound email, its recipients' delivery states, its thread and its sender.

export type MessageRow = Selectable<Database['messages']>
export type RecipientRow = Selectable<Database['message_recipients']>
export type AttachmentRow = Selectable<Database['message_attachments']>

/** The message, locked until commit, so two runs of its job change its state one after the other. */
export async function lockMessage(trx: Trx, merchantId: string, id: string): Promise<MessageRow | undefined> {
  return selectKeyed(trx, 'messages', merchantId, id).selectAll().forUpdate().executeTakeFirst()
}

export async function updateMessage(
  trx: Trx,
  merchantId: string,
  id: string,
  patch: Updateable<Database['messages']>,
): Promise<MessageRow> {
  return updateKeyed(trx, 'messages', merchantId, id).set(patch).returningAll().executeTakeFirstOrThrow()
}

/** A row per To and Cc address (lowercase, as recordMessage writes them; kept when already there), `queued`. */
export async function insertRecipients(
  trx: Trx,
  merchantId: string,
  messageId: string,
  to: Address[],
  cc: Address[],
  now: Date,
): Promise<void> {
  const rows = [...to.map((a) => ({ a, kind: 'to' as const })), ...cc.map((a) => ({ a, kind: 'cc' as const }))].map(
    ({ a, kind }) => ({
      merchant_id: merchantId,
      message_id: messageId,
      address: a.address.toLowerCase(),
      kind,
      updated_at: now,
    }),
  )
  if (!rows.length) return
  await trx
    .insertInto('message_recipients')
    .values(rows)
    .onConflict((oc) => oc.columns(['merchant_id', 'message_id', 'address']).doNothing())
    .execute()
}

export async function listRecipients(db: Db, merchantId: string, messageId: string): Promise<RecipientRow[]> {
  return db
    .selectFrom('message_recipients')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('message_id', '=', messageId)
    .orderBy('address')
    .execute()
}

/**
 * Moves these recipients on, but only those still in `from`: a state never moves backwards from sent or failed.
 * `attempt` counts a delivery attempt (the move to `sending`).
 */
export async function moveRecipients(
  trx: Trx,
  merchantId: string,
  messageId: string,
  addresses: string[],
  from: RecipientStatus,
  patch: Updateable<Database['message_recipients']> & { status: RecipientStatus },
  attempt = false,
): Promise<void> {
  if (!addresses.length) return
  await trx
    .updateTable('message_recipients')
    .set(patch)
    .$if(attempt, (q) => q.set({ attempts: sql`attempts + 1` }))
    .where('merchant_id', '=', merchantId)
    .where('message_id', '=', messageId)
    .where('address', 'in', addresses)
    .where('status', '=', from)
    .execute()
}

/** The case's latest earlier message that has a Message-ID: the one a new message answers. */
export async function findThreadParent(
  db: Db,
  merchantId: string,
  caseId: string,
  before: { id: string; created_at: Date },
): Promise<Pick<MessageRow, 'message_id_header' | 'references_headers'> | undefined> {
  return db
    .selectFrom('messages')
    .select(['message_id_header', 'references_headers'])
    .where('merchant_id', '=', merchantId)
    .where('case_id', '=', caseId)
    .where('id', '!=', before.id)
    .where('created_at', '<=', before.created_at)
    .where('message_id_header', 'is not', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function findEmailSender(db: Db, merchantId: string): Promise<Address | undefined> {
  const row = await db
    .selectFrom('email_settings')
    .select(['from_name', 'from_address'])
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
  return row?.from_address ? { address: row.from_address, name: row.from_name || undefined } : undefined
}

export async function listSendableAttachments(db: Db, merchantId: string, messageId: string): Promise<AttachmentRow[]> {
  return db
    .selectFrom('message_attachments')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('message_id', '=', messageId)
    .where('blob_key', 'is not', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

// Session-level: held by the connection of the process sending the message, across its two transactions and the
// SMTP transaction between them, and released by PostgreSQL the moment that process dies. So a run that takes it
// knows any recipient left in `sending` belongs to a send that ended, not to one still in flight elsewhere.
const sendLockClass = 21_001

export async function tryLockSend(db: Db, merchantId: string, messageId: string): Promise<boolean> {
  const { rows } = await sql<{
    locked: boolean
  }>`select pg_try_advisory_lock(${sendLockClass}, hashtext(${`${merchantId}/${messageId}`})) as locked`.execute(db)
  return rows[0]!.locked
}

export async function unlockSend(db: Db, merchantId: string, messageId: string): Promise<void> {
  await sql`select pg_advisory_unlock(${sendLockClass}, hashtext(${`${merchantId}/${messageId}`}))`.execute(db)
}
