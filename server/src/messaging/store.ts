import type { Insertable, Selectable, Updateable } from 'kysely'
import { allColumns, executePrepared } from '../db/database.js'
import { type Db, type Trx, keyedRows, ownedRows, selectOwned } from '../db/owned.js'
import type { Database } from '../db/schema.js'
import type { MessageStatus } from './tables.js'

export type MessageRow = Selectable<Database['messages']>
export type RecipientRow = Selectable<Database['message_recipients']>
export type AttachmentRow = Selectable<Database['message_attachments']>

const messages = keyedRows('messages')
export const findMessage = messages.find
export const lockMessage = messages.lock

/** The new row, or undefined when the workspace has a message with this Message-ID already. */
export async function insertMessageUnlessKnown(
  trx: Trx,
  row: Insertable<Database['messages']>,
): Promise<MessageRow | undefined> {
  // Prepared: the inbox drain records one per inbound email, and parsing and planning were much of its time.
  const [inserted] = await executePrepared(
    trx,
    trx
      .insertInto('messages')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['merchant_id', 'message_id_header']).where('message_id_header', 'is not', null).doNothing(),
      )
      .returning(messageColumns),
  )
  return inserted
}

const messageColumns = allColumns<Database['messages']>()([
  'merchant_id',
  'id',
  'case_id',
  'direction',
  'channel',
  'visibility',
  'status',
  'status_reason',
  'author_type',
  'author_id',
  'automatic',
  'from_address',
  'from_name',
  'to_addresses',
  'cc_addresses',
  'subject',
  'text_body',
  'html_body',
  'template_id',
  'template_version',
  'message_id_header',
  'in_reply_to',
  'references_headers',
  'provider',
  'provider_message_id',
  'raw_blob_key',
  'raw_in_db',
  'send_key',
  'reply_text',
  'quoted_text',
  'robot_reason',
  'inbox_delivery_id',
  'attempts',
  'next_attempt_at',
  'sent_at',
  'redacted_at',
  'side_conversation_id',
  'created_at',
  'updated_at',
  'deliver_after',
  'sms_segments',
  'sms_encoding',
  'content_sid',
  'content_variables',
  'body_purged_at',
])

export async function updateMessage(
  trx: Trx,
  merchantId: string,
  id: string,
  patch: Updateable<Database['messages']>,
): Promise<MessageRow> {
  return messages.update(trx, merchantId, id, patch)
}

// A recipient listed twice (to and cc) is one recipient: mailed once.
export async function insertRecipients(
  trx: Trx,
  rows: Insertable<Database['message_recipients']>[],
): Promise<RecipientRow[]> {
  if (!rows.length) return []
  return trx
    .insertInto('message_recipients')
    .values(rows)
    .onConflict((oc) => oc.columns(['merchant_id', 'message_id', 'address']).doNothing())
    .returningAll()
    .execute()
}

export async function insertAttachments(
  trx: Trx,
  rows: Insertable<Database['message_attachments']>[],
): Promise<AttachmentRow[]> {
  if (!rows.length) return []
  return trx.insertInto('message_attachments').values(rows).returningAll().execute()
}

export async function listRecipients(db: Db, merchantId: string, messageIds: string[]): Promise<RecipientRow[]> {
  if (!messageIds.length) return []
  return ownedRows(db, 'message_recipients', merchantId)
    .where('message_id', 'in', messageIds)
    .orderBy('message_id')
    .orderBy('kind', 'desc')
    .orderBy('address')
    .execute()
}

export async function listAttachments(db: Db, merchantId: string, messageIds: string[]): Promise<AttachmentRow[]> {
  if (!messageIds.length) return []
  return ownedRows(db, 'message_attachments', merchantId).where('message_id', 'in', messageIds).orderBy('id').execute()
}

/** Attachments by id, each with its message's case (to check they belong to the case a reply is on). */
export async function findAttachments(
  db: Db,
  merchantId: string,
  ids: string[],
): Promise<(AttachmentRow & { case_id: string })[]> {
  if (!ids.length) return []
  return db
    .selectFrom('message_attachments as a')
    .innerJoin('messages as m', (j) =>
      j.onRef('m.merchant_id', '=', 'a.merchant_id').onRef('m.id', '=', 'a.message_id'),
    )
    .selectAll('a')
    .select('m.case_id')
    .where('a.merchant_id', '=', merchantId)
    .where('a.id', 'in', ids)
    .execute()
}

export type MessageFilter = {
  caseId?: string
  statuses?: MessageStatus[]
  visibility?: 'public' | 'side'
  sideConversationId?: string
  after?: string
  limit: number
  desc?: boolean
}

// Ids are UUIDv7, so id order is the order messages were recorded in.
export async function listMessages(db: Db, merchantId: string, f: MessageFilter): Promise<MessageRow[]> {
  let q = ownedRows(db, 'messages', merchantId)
  if (f.caseId) q = q.where('case_id', '=', f.caseId)
  if (f.statuses?.length) q = q.where('status', 'in', f.statuses)
  if (f.visibility) q = q.where('visibility', '=', f.visibility)
  if (f.sideConversationId) q = q.where('side_conversation_id', '=', f.sideConversationId)
  if (f.after) q = q.where('id', f.desc ? '<' : '>', f.after)
  return q
    .orderBy('id', f.desc ? 'desc' : 'asc')
    .limit(f.limit)
    .execute()
}

/** The case and side conversation of the newest message with any of these Message-IDs (ours or theirs). */
export async function findThreadByMessageIds(
  db: Db,
  merchantId: string,
  messageIds: string[],
): Promise<{ case_id: string; side_conversation_id: string | null } | undefined> {
  if (!messageIds.length) return undefined
  return selectOwned(db, 'messages', merchantId)
    .select(['case_id', 'side_conversation_id'])
    .where('message_id_header', 'in', messageIds)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function findMessageByHeader(db: Db, merchantId: string, messageIdHeader: string) {
  return ownedRows(db, 'messages', merchantId).where('message_id_header', '=', messageIdHeader).executeTakeFirst()
}

/** Inbound public messages on a case since an instant: the portal's rate limit per link. */
export async function countInbound(db: Db, merchantId: string, caseId: string, channel: string, since: Date) {
  const row = await selectOwned(db, 'messages', merchantId)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('case_id', '=', caseId)
    .where('direction', '=', 'in')
    .where('channel', '=', channel as 'portal')
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Recipients a retry sends to again: those not sent; a sent one is never mailed twice. */
export async function requeueRecipients(trx: Trx, merchantId: string, messageId: string, now: Date): Promise<void> {
  await trx
    .updateTable('message_recipients')
    .set({ status: 'queued', smtp_reply: null, updated_at: now })
    .where('merchant_id', '=', merchantId)
    .where('message_id', '=', messageId)
    .where('status', 'in', ['failed', 'bounced'])
    .execute()
}
