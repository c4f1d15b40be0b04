import { Readable } from 'node:stream'
import { findCaseOrThrow } from '../../cases/service.js'
import { findDeliveryBody } from '../../intake/service.js'
import type { Db } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import type { BlobStore } from '../../files/blob-store.js'
import type { PageRequest } from '../../http/pagination.js'
import { findRawEmails } from '../email/send-store.js'
import * as store from '../store.js'
import type { MessageStatus, MessageVisibility } from '../tables.js'
import { type Message, rawInInbox, toMessage } from '../types.js'

/** Messages with their attachments and recipients, read in two queries for the whole page. */
export async function withDetails(db: Db, merchantId: string, rows: store.MessageRow[]): Promise<Message[]> {
  const ids = rows.map((r) => r.id)
  const [attachments, recipients] = await Promise.all([
    store.listAttachments(db, merchantId, ids),
    store.listRecipients(db, merchantId, ids),
  ])
  return rows.map((r) =>
    toMessage(
      r,
      attachments.filter((a) => a.message_id === r.id),
      recipients.filter((x) => x.message_id === r.id),
    ),
  )
}

/** A case's conversation, oldest first. */
export async function listCaseMessages(
  db: Db,
  merchantId: string,
  caseId: string,
  f: PageRequest & { visibility?: MessageVisibility },
): Promise<Message[]> {
  await findCaseOrThrow(db, merchantId, caseId)
  return withDetails(db, merchantId, await store.listMessages(db, merchantId, { ...f, caseId }))
}

/** The failed list: failed, bounced and held messages, newest first. */
export async function listFailedMessages(
  db: Db,
  merchantId: string,
  f: PageRequest & { status?: string },
): Promise<Message[]> {
  const statuses = (f.status ?? 'failed,bounced,held').split(',') as MessageStatus[]
  return withDetails(db, merchantId, await store.listMessages(db, merchantId, { ...f, statuses, desc: true }))
}

export async function findMessageOrThrow(db: Db, merchantId: string, id: string): Promise<store.MessageRow> {
  const row = await store.findMessage(db, merchantId, id)
  if (!row) throw new AppError('message_not_found', 'No such message', { message_id: id })
  return row
}

export async function getMessage(db: Db, merchantId: string, id: string): Promise<Message> {
  return (await withDetails(db, merchantId, [await findMessageOrThrow(db, merchantId, id)]))[0]!
}

/** The message as it went over the wire (.eml), when it was stored. */
export async function openRawMessage(
  db: Db,
  blobs: BlobStore,
  merchantId: string,
  id: string,
): Promise<{ body: Readable; sizeBytes: number; fileName: string }> {
  const row = await findMessageOrThrow(db, merchantId, id)
  if (row.redacted_at)
    throw new AppError('message_redacted', "The customer's data was erased from this message: its original is gone", {
      message_id: id,
      redacted_at: row.redacted_at.toISOString(),
    })
  const fileName = `message-${row.id}.eml`
  // A sent email's bytes are kept with it (the send drain) and a received one's in its inbox delivery, unless
  // large or from a webhook: then in the file store.
  const kept = row.raw_in_db
    ? (await findRawEmails(db, [row])).get(row.id)
    : rawInInbox(row)
      ? await findDeliveryBody(db, merchantId, row.inbox_delivery_id!)
      : undefined
  if (kept?.length) return { body: Readable.from([kept]), sizeBytes: kept.length, fileName }
  const stat = row.raw_blob_key ? await blobs.stat(row.raw_blob_key) : undefined
  if (!row.raw_blob_key || !stat)
    throw new AppError('message_raw_not_found', 'This message has no stored original', { message_id: id })
  return { body: await blobs.get(row.raw_blob_key), sizeBytes: stat.sizeBytes, fileName }
}

// What the customer never sees of their own conversation: messages that did not go out.
const unsent: MessageStatus[] = ['held', 'failed']

/** The customer's conversation (the portal): public messages only, never side conversations; oldest first. */
export async function listPublicMessages(db: Db, merchantId: string, caseId: string): Promise<Message[]> {
  const rows = await store.listMessages(db, merchantId, { caseId, visibility: 'public', limit: 500 })
  return withDetails(
    db,
    merchantId,
    rows.filter((r) => !unsent.includes(r.status)),
  )
}

export async function countPortalMessagesSince(db: Db, merchantId: string, caseId: string, since: Date) {
  return store.countInbound(db, merchantId, caseId, 'portal', since)
}

/** A stored attachment of one of the workspace's messages, with its bytes (for the evidence module's copy). */
export async function openAttachment(
  db: Db,
  blobs: BlobStore,
  merchantId: string,
  messageId: string,
  attachmentId: string,
): Promise<{ body: Readable; fileName: string; contentType: string }> {
  const row = (await store.listAttachments(db, merchantId, [messageId])).find((a) => a.id === attachmentId)
  if (!row?.blob_key)
    throw new AppError('attachment_invalid', 'Not a stored attachment of this message', { attachment_id: attachmentId })
  return { body: await blobs.get(row.blob_key), fileName: row.file_name, contentType: row.content_type }
}
