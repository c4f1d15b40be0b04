import { sql } from 'kysely'
import { type Db, type Trx, ownedRows, selectOwned, updateOwned } from '../../db/owned.js'
import type { MessageRow } from '../store.js'

// A customer's erasure: the SQL of messaging's own tables (messages, recipients, attachments, raw copies).

/**
 * The addresses the customer wrote from and was written to on their own cases before the erasure, lower-case: email
 * addresses, and the E.164 numbers of their SMS and WhatsApp messages. What their side conversations must lose.
 * Placeholders (`…@invalid`) and the portal's empty sender are not addresses.
 */
export async function findCustomerAddresses(
  db: Db,
  merchantId: string,
  caseIds: string[],
  erasedAt: Date,
): Promise<string[]> {
  if (!caseIds.length) return []
  const { rows } = await sql<{ address: string }>`select distinct a.address from (
      select lower(from_address) as address from messages
      where merchant_id = ${merchantId} and case_id = any(${caseIds}::uuid[]) and created_at <= ${erasedAt}
        and direction = 'in' and visibility = 'public' and author_type = 'customer'
      union
      select lower(x->>'address') from messages m, jsonb_array_elements(m.to_addresses) x
      where m.merchant_id = ${merchantId} and m.case_id = any(${caseIds}::uuid[]) and m.created_at <= ${erasedAt}
        and m.direction = 'out' and m.visibility = 'public') a
    where (a.address like '%@%' and a.address not like '%@invalid') or a.address ~ '^[+][0-9]{6,15}$'
    order by a.address`.execute(db)
  return rows.map((r) => r.address)
}

/** Messages on these cases recorded by `until` that no erasure has reached yet, locked until commit. */
export async function lockMessagesOnCases(
  trx: Trx,
  merchantId: string,
  caseIds: string[],
  until: Date,
): Promise<MessageRow[]> {
  if (!caseIds.length) return []
  return ownedRows(trx, 'messages', merchantId)
    .where('case_id', 'in', caseIds)
    .where('created_at', '<=', until)
    .where('redacted_at', 'is', null)
    .orderBy('id')
    .forUpdate()
    .execute()
}

/** Renames a message's recipients (old address to new) and rewrites their servers' replies. */
export async function rewriteRecipients(
  trx: Trx,
  merchantId: string,
  messageId: string,
  rows: { address: string; to: string; smtpReply: string | null }[],
  now: Date,
): Promise<void> {
  if (!rows.length) return
  await sql`update message_recipients r set address = v.to_address, smtp_reply = v.reply, updated_at = ${now}
    from unnest(${rows.map((r) => r.address)}::text[], ${rows.map((r) => r.to)}::text[],
      ${rows.map((r) => r.smtpReply)}::text[]) as v(address, to_address, reply)
    where r.merchant_id = ${merchantId} and r.message_id = ${messageId} and r.address = v.address`.execute(trx)
}

export async function deleteRawEmails(trx: Trx, merchantId: string, messageIds: string[]): Promise<void> {
  if (!messageIds.length) return
  await trx
    .deleteFrom('message_raw_emails')
    .where('merchant_id', '=', merchantId)
    .where('message_id', 'in', messageIds)
    .execute()
}

export const redactedFileName = 'redacted'
export const redactedFileReason = "redacted: the customer's data was erased"

/**
 * Attachments of these messages, and any other holding one of these files (an attachment sent again shares its
 * file), lose their file and name; their type and size stay.
 */
export async function redactAttachments(
  trx: Trx,
  merchantId: string,
  messageIds: string[],
  blobKeys: string[],
): Promise<void> {
  if (!messageIds.length && !blobKeys.length) return
  await updateOwned(trx, 'message_attachments', merchantId)
    .set({ blob_key: null, file_name: redactedFileName, content_id: null, refused_reason: redactedFileReason })
    .where((eb) =>
      eb.or([
        ...(messageIds.length ? [eb('message_id', 'in', messageIds)] : []),
        ...(blobKeys.length ? [eb('blob_key', 'in', blobKeys)] : []),
      ]),
    )
    .execute()
}

/** Of these files, those some attachment still holds. */
export async function findHeldBlobKeys(db: Db, merchantId: string, blobKeys: string[]): Promise<Set<string>> {
  if (!blobKeys.length) return new Set()
  const rows = await selectOwned(db, 'message_attachments', merchantId)
    .select('blob_key')
    .distinct()
    .where('blob_key', 'in', blobKeys)
    .execute()
  return new Set(rows.map((r) => r.blob_key!))
}

/**
 * Up to `limit` messages created before `before` whose body is still whole (no purge, no erasure reached it, not
 * waiting to go out), by id after `after`; locked, skipping those another worker holds.
 */
export async function lockMessagesToPurge(
  trx: Trx,
  merchantId: string,
  f: { before: Date; after: string | null; limit: number },
): Promise<MessageRow[]> {
  let q = ownedRows(trx, 'messages', merchantId)
    .where('created_at', '<', f.before)
    .where('body_purged_at', 'is', null)
    .where('redacted_at', 'is', null)
    .where('status', 'not in', ['queued', 'sending', 'held'])
    .orderBy('id')
    .limit(f.limit)
    .forUpdate()
    .skipLocked()
  if (f.after) q = q.where('id', '>', f.after)
  return q.execute()
}
