import { type Insertable, type Selectable, sql } from 'kysely'
import type { Db, Trx } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import type { Address, MessageChannel, MessageStatus, RecipientStatus } from '../tables.js'

// The send drain's SQL: due outbound emails claimed in batches, their recipients' delivery states, their threads,
// senders and stored bytes, all a statement per batch rather than per message.

export type MessageRow = Selectable<Database['messages']>
export type RecipientRow = Selectable<Database['message_recipients']>
export type AttachmentRow = Selectable<Database['message_attachments']>
export type Key = { merchant_id: string; id: string }

// The (merchant, message) pairs of a batch, as a relation to join on.
const keysOf = (rows: Key[]) => sql`unnest(${rows.map((r) => r.merchant_id)}::uuid[], ${rows.map((r) => r.id)}::uuid[])`

/**
 * Up to `limit` outbound emails due now (queued, and past their retry time if they have one), oldest first, locked
 * until commit; rows another drain holds are skipped, so drains in several processes share the work.
 */
export async function claimDue(trx: Trx, limit: number, now: Date): Promise<MessageRow[]> {
  return trx
    .selectFrom('messages')
    .selectAll()
    .where('status', '=', 'queued')
    .where('direction', '=', 'out')
    .where('channel', '=', 'email')
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute()
}

/** A row per To and Cc address (lowercase, as recordMessage writes them; kept when already there), `queued`. */
export async function insertRecipients(trx: Trx, rows: MessageRow[], now: Date): Promise<void> {
  const values = rows.flatMap((m) =>
    [...m.to_addresses.map((a) => ['to', a] as const), ...m.cc_addresses.map((a) => ['cc', a] as const)].map(
      ([kind, a]): Insertable<Database['message_recipients']> => ({
        merchant_id: m.merchant_id,
        message_id: m.id,
        address: a.address.toLowerCase(),
        kind,
        updated_at: now,
      }),
    ),
  )
  if (!values.length) return
  await trx
    .insertInto('message_recipients')
    .values(values)
    .onConflict((oc) => oc.columns(['merchant_id', 'message_id', 'address']).doNothing())
    .execute()
}

/** The recipients of these messages, by message id, each message's in address order. */
export async function listRecipients(db: Db, rows: Key[]): Promise<Map<string, RecipientRow[]>> {
  const byMessage = new Map<string, RecipientRow[]>(rows.map((r) => [r.id, []]))
  if (!rows.length) return byMessage
  const { rows: found } = await sql<RecipientRow>`select r.* from message_recipients r
    join ${keysOf(rows)} as k(merchant_id, id) on r.merchant_id = k.merchant_id and r.message_id = k.id
    order by r.message_id, r.address`.execute(db)
  for (const r of found) byMessage.get(r.message_id)?.push(r)
  return byMessage
}

/** A recipient moving on: only from `from`, so a state never moves backwards from sent or failed. */
export type RecipientMove = {
  merchant_id: string
  message_id: string
  address: string
  from: RecipientStatus
  status: RecipientStatus
  /** The server's reply or the reason; null keeps the last one. */
  reply: string | null
  sent_at: Date | null
  /** Counts a delivery attempt (the move to `sending`). */
  attempt?: boolean
}

export async function moveRecipients(trx: Trx, moves: RecipientMove[], now: Date): Promise<void> {
  if (!moves.length) return
  const col = <K extends keyof RecipientMove>(k: K) => moves.map((m) => m[k] ?? null)
  await sql`update message_recipients r set status = v.status, smtp_reply = coalesce(v.reply, r.smtp_reply),
      sent_at = v.sent_at, attempts = r.attempts + v.attempt, updated_at = ${now}
    from unnest(${col('merchant_id')}::uuid[], ${col('message_id')}::uuid[], ${col('address')}::text[],
      ${col('from')}::text[], ${col('status')}::text[], ${col('reply')}::text[], ${col('sent_at')}::timestamptz[],
      ${moves.map((m) => (m.attempt ? 1 : 0))}::int[]) as v(merchant_id, message_id, address, "from", status, reply,
      sent_at, attempt)
    where r.merchant_id = v.merchant_id and r.message_id = v.message_id and r.address = v.address
      and r.status = v."from"`.execute(trx)
}

/** No mail server: these are stored as not sent (nothing pretends to be sent). */
export async function markNotSent(trx: Trx, rows: Key[], reason: string, now: Date): Promise<void> {
  await sql`update messages m set status = 'not_sent', status_reason = ${reason}, updated_at = ${now}
    from ${keysOf(rows)} as k(merchant_id, id) where m.merchant_id = k.merchant_id and m.id = k.id`.execute(trx)
}

/** What the first attempt fixes for every later one: the sender, the thread and where the bytes are. */
export type Composed = Key & {
  from_address: string
  from_name: string | null
  message_id_header: string
  in_reply_to: string | null
  references_headers: string[]
  raw_blob_key: string | null
  raw_in_db: boolean
}

/**
 * These messages are being sent by the sender holding `sendKey`: `sending`, one more attempt; the composed ones
 * get what their first attempt fixed. Returns the rows as they now are.
 */
export async function markSending(
  trx: Trx,
  rows: Key[],
  composed: Composed[],
  sendKey: number,
  now: Date,
): Promise<MessageRow[]> {
  if (composed.length) {
    const col = <K extends keyof Composed>(k: K) => composed.map((c) => c[k])
    await sql`update messages m set from_address = v.from_address, from_name = v.from_name,
        message_id_header = v.message_id_header, in_reply_to = v.in_reply_to, references_headers = array(select jsonb_array_elements_text(v.refs)),
        raw_blob_key = v.raw_blob_key, raw_in_db = v.raw_in_db
      from unnest(${col('merchant_id')}::uuid[], ${col('id')}::uuid[], ${col('from_address')}::text[],
        ${col('from_name')}::text[], ${col('message_id_header')}::text[], ${col('in_reply_to')}::text[],
        ${composed.map((c) => JSON.stringify(c.references_headers))}::jsonb[], ${col('raw_blob_key')}::text[],
        ${col('raw_in_db')}::boolean[]) as v(merchant_id, id, from_address, from_name, message_id_header, in_reply_to, refs, raw_blob_key,
        raw_in_db)
      where m.merchant_id = v.merchant_id and m.id = v.id`.execute(trx)
  }
  const { rows: updated } = await sql<MessageRow>`update messages m set status = 'sending',
      attempts = m.attempts + 1, send_key = ${sendKey}, updated_at = ${now}
    from ${keysOf(rows)} as k(merchant_id, id) where m.merchant_id = k.merchant_id and m.id = k.id
    returning m.*`.execute(trx)
  return updated
}

/** Where a message now stands once its recipients have moved on. */
export type Settlement = Key & {
  status: MessageStatus
  status_reason: string | null
  sent_at: Date | null
  next_attempt_at: Date | null
}

/**
 * Settles messages still queued or sending (a message announced as sent or failed is never settled again);
 * returns the ids it settled.
 */
export async function settleMessages(trx: Trx, settled: Settlement[], now: Date): Promise<Set<string>> {
  if (!settled.length) return new Set()
  const col = <K extends keyof Settlement>(k: K) => settled.map((s) => s[k])
  const { rows } = await sql<{ id: string }>`update messages m set status = v.status, status_reason = v.reason,
      sent_at = v.sent_at, next_attempt_at = v.next_attempt_at, updated_at = ${now}
    from unnest(${col('merchant_id')}::uuid[], ${col('id')}::uuid[], ${col('status')}::text[],
      ${col('status_reason')}::text[], ${col('sent_at')}::timestamptz[], ${col('next_attempt_at')}::timestamptz[])
      as v(merchant_id, id, status, reason, sent_at, next_attempt_at)
    where m.merchant_id = v.merchant_id and m.id = v.id and m.status in ('queued', 'sending')
    returning m.id`.execute(trx)
  return new Set(rows.map((r) => r.id))
}

/** The latest earlier message with a Message-ID in each message's thread (its case's customer conversation, or its side conversation): the one it answers. */
export async function findThreadParents(
  db: Db,
  rows: Key[],
): Promise<Map<string, Pick<MessageRow, 'message_id_header' | 'references_headers'>>> {
  if (!rows.length) return new Map()
  const { rows: found } = await sql<{ id: string; message_id_header: string; references_headers: string[] }>`
    select m.id, p.message_id_header, p.references_headers
    from ${keysOf(rows)} as k(merchant_id, id)
    join messages m on m.merchant_id = k.merchant_id and m.id = k.id
    cross join lateral (select p.message_id_header, p.references_headers from messages p
      where p.merchant_id = m.merchant_id and p.case_id = m.case_id and p.id <> m.id and p.created_at <= m.created_at
        and p.message_id_header is not null
        -- the same thread: a reply to the customer never names a side conversation's mail, nor the reverse
        and p.visibility = m.visibility and p.side_conversation_id is not distinct from m.side_conversation_id
      order by p.created_at desc, p.id desc limit 1) p`.execute(db)
  return new Map(found.map((f) => [f.id, f]))
}

/** Each workspace's configured sender. */
export async function findEmailSenders(db: Db, merchantIds: string[]): Promise<Map<string, Address>> {
  if (!merchantIds.length) return new Map()
  const rows = await db
    .selectFrom('email_settings')
    .select(['merchant_id', 'from_name', 'from_address'])
    .where('merchant_id', 'in', merchantIds)
    .execute()
  return new Map(
    rows
      .filter((r) => r.from_address)
      .map((r) => [r.merchant_id, { address: r.from_address, ...(r.from_name ? { name: r.from_name } : {}) }]),
  )
}

/** The stored attachments of these messages, by message id. */
export async function listSendableAttachments(db: Db, rows: Key[]): Promise<Map<string, AttachmentRow[]>> {
  const byMessage = new Map<string, AttachmentRow[]>()
  if (!rows.length) return byMessage
  const { rows: found } = await sql<AttachmentRow>`select a.* from message_attachments a
    join ${keysOf(rows)} as k(merchant_id, id) on a.merchant_id = k.merchant_id and a.message_id = k.id
    where a.blob_key is not null order by a.created_at, a.id`.execute(db)
  for (const a of found) byMessage.set(a.message_id, [...(byMessage.get(a.message_id) ?? []), a])
  return byMessage
}

export async function insertRawEmails(trx: Trx, raws: (Key & { raw: Buffer })[]): Promise<void> {
  if (!raws.length) return
  await trx
    .insertInto('message_raw_emails')
    .values(raws.map((r) => ({ merchant_id: r.merchant_id, message_id: r.id, raw: r.raw })))
    .onConflict((oc) => oc.columns(['merchant_id', 'message_id']).doNothing())
    .execute()
}

/** The stored .eml of these messages (those kept in the database), by message id. */
export async function findRawEmails(db: Db, rows: Key[]): Promise<Map<string, Buffer>> {
  if (!rows.length) return new Map()
  const { rows: found } = await sql<{ message_id: string; raw: Buffer }>`select r.message_id, r.raw
    from message_raw_emails r
    join ${keysOf(rows)} as k(merchant_id, id) on r.merchant_id = k.merchant_id and r.message_id = k.id`.execute(db)
  return new Map(found.map((f) => [f.message_id, f.raw]))
}

// Senders. A run of the send drain takes a key and holds the session-level advisory lock (21001, key) on its
// connection from before it marks messages `sending` until it has recorded what became of them; PostgreSQL
// releases the lock the moment that process (or its connection) dies. So a message found `sending` under a key
// whose lock nobody holds was cut off mid-send. (A message marked `sending` before send keys existed, by the
// per-message job, is under that job's lock: (21001, hashtext('<merchant>/<message>')).)
const sendLockClass = 21_001
const senderKey = sql`coalesce(send_key, hashtext(merchant_id::text || '/' || id::text))`

/** A fresh sender key, its lock held by this connection. */
export async function takeSenderKey(db: Db): Promise<number> {
  for (;;) {
    const key = 1 + Math.floor(Math.random() * 0x7ffffffe)
    const { rows } = await sql<{
      locked: boolean
    }>`select pg_try_advisory_lock(${sendLockClass}, ${key}) as locked`.execute(db)
    if (rows[0]!.locked) return key
  }
}

export async function releaseSenderKeys(db: Db, keys: number[]): Promise<void> {
  if (!keys.length) return
  await sql`select pg_advisory_unlock(${sendLockClass}, k) from unnest(${keys}::int[]) as k`.execute(db)
}

/**
 * The keys of senders that left messages of these channels `sending` and are gone, their locks now held by this connection (so no
 * new sender takes one of them while their messages are settled); never `own`, which this connection holds.
 */
export async function lockDeadSenders(db: Db, own: number, channels: MessageChannel[]): Promise<number[]> {
  const { rows } = await sql<{ key: number }>`select key from (select distinct ${senderKey} as key from messages
      where status = 'sending' and channel = any(${channels}::text[])) s
    where case when key = ${own} then false else pg_try_advisory_lock(${sendLockClass}, key) end`.execute(db)
  return rows.map((r) => r.key)
}

/** The emails these senders left `sending`, locked until commit (a phone message is the phone drain's). */
export async function lockSendingOf(trx: Trx, keys: number[]): Promise<MessageRow[]> {
  const { rows } = await sql<MessageRow>`select * from messages where status = 'sending' and channel = 'email'
    and ${senderKey} = any(${keys}::int[]) order by created_at, id for update`.execute(trx)
  return rows
}
