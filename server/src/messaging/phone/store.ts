import { type Insertable, type Selectable, sql } from 'kysely'
import type { Db, Trx } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import type { MessageStatus } from '../tables.js'

// SQL of SMS and WhatsApp out: the phone send drain's claims and settlements, each sender's next free slot, the
// WhatsApp window's last inbound message and the workspace's phone settings.

export type MessageRow = Selectable<Database['messages']>
export type PhoneSettingsRow = Selectable<Database['phone_settings']>
type Key = { merchant_id: string; id: string }

const keysOf = (rows: Key[]) => sql`unnest(${rows.map((r) => r.merchant_id)}::uuid[], ${rows.map((r) => r.id)}::uuid[])`

/**
 * Up to `limit` outbound SMS and WhatsApp messages due now (queued, past deliver_after and any retry time), oldest
 * due first, locked until commit; rows another run holds are skipped. Never an email: that is email's drain.
 */
export async function claimDuePhone(trx: Trx, limit: number, now: Date): Promise<MessageRow[]> {
  return trx
    .selectFrom('messages')
    .selectAll()
    .where('status', '=', 'queued')
    .where('direction', '=', 'out')
    .where('channel', 'in', ['sms', 'whatsapp'])
    .where('deliver_after', '<=', now)
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
    .orderBy('deliver_after')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute()
}

/** These are being sent by the run holding `sendKey`: `sending`, one attempt more. */
export async function markSending(trx: Trx, rows: Key[], sendKey: number, now: Date): Promise<void> {
  if (!rows.length) return
  await sql`update messages m set status = 'sending', attempts = m.attempts + 1, send_key = ${sendKey},
      updated_at = ${now}
    from ${keysOf(rows)} as k(merchant_id, id) where m.merchant_id = k.merchant_id and m.id = k.id`.execute(trx)
}

/** Where a phone message now stands; only from `from`, so nothing settles twice. */
export type PhoneSettlement = Key & {
  from: MessageStatus
  status: MessageStatus
  status_reason: string | null
  provider_message_id: string | null
  sent_at: Date | null
  next_attempt_at: Date | null
}

/** Returns the ids it settled. */
export async function settlePhoneMessages(trx: Trx, rows: PhoneSettlement[], now: Date): Promise<Set<string>> {
  if (!rows.length) return new Set()
  const col = <K extends keyof PhoneSettlement>(k: K) => rows.map((r) => r[k])
  const { rows: done } = await sql<{ id: string }>`update messages m set status = v.status, status_reason = v.reason,
      provider = coalesce(m.provider, 'twilio'), provider_message_id = coalesce(v.sid, m.provider_message_id),
      sent_at = v.sent_at, next_attempt_at = v.next_attempt_at, updated_at = ${now}
    from unnest(${col('merchant_id')}::uuid[], ${col('id')}::uuid[], ${col('from')}::text[], ${col('status')}::text[],
      ${col('status_reason')}::text[], ${col('provider_message_id')}::text[], ${col('sent_at')}::timestamptz[],
      ${col('next_attempt_at')}::timestamptz[]) as v(merchant_id, id, "from", status, reason, sid, sent_at, next_attempt_at)
    where m.merchant_id = v.merchant_id and m.id = v.id and m.status = v."from"
    returning m.id`.execute(trx)
  return new Set(done.map((r) => r.id))
}

/** The phone messages these dead senders left `sending`, locked until commit. */
export async function lockPhoneSendingOf(trx: Trx, keys: number[]): Promise<MessageRow[]> {
  const { rows } = await sql<MessageRow>`select * from messages where status = 'sending'
    and channel in ('sms', 'whatsapp') and send_key = any(${keys}::int[]) order by created_at, id for update`.execute(
    trx,
  )
  return rows
}

/** A Twilio connection is being made for the workspace: until commit, no other transaction makes one too. */
export async function lockTwilioSetup(trx: Trx, merchantId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(21002, hashtext(${merchantId}))`.execute(trx)
}

/**
 * Reserves up to `wanted` consecutive send slots of a sender, `intervalMs` apart, starting at its next free slot
 * (or now) and ending within `horizonMs` of now; the row is locked until commit, so every process reserves from
 * the same sequence. Times are the database's clock (returned as `dbNow`), which every process shares.
 */
export async function reserveSlots(
  trx: Trx,
  merchantId: string,
  sender: string,
  wanted: number,
  intervalMs: number,
  horizonMs: number,
): Promise<{ first: Date; granted: number; dbNow: Date }> {
  await sql`insert into phone_send_slots (merchant_id, sender, next_slot_at) values (${merchantId}, ${sender},
    clock_timestamp()) on conflict (merchant_id, sender) do nothing`.execute(trx)
  const { rows } = await sql<{ next_slot_at: Date; db_now: Date }>`select next_slot_at, clock_timestamp() as db_now
    from phone_send_slots where merchant_id = ${merchantId} and sender = ${sender} for update`.execute(trx)
  const { next_slot_at: next, db_now: dbNow } = rows[0]!
  const first = new Date(Math.max(next.getTime(), dbNow.getTime()))
  const room = Math.floor((dbNow.getTime() + horizonMs - first.getTime()) / intervalMs) + 1
  const granted = Math.max(0, Math.min(wanted, room))
  if (granted > 0)
    await sql`update phone_send_slots set next_slot_at = ${new Date(first.getTime() + granted * intervalMs)}
      where merchant_id = ${merchantId} and sender = ${sender}`.execute(trx)
  return { first, granted, dbNow }
}

/** When the customer last wrote on WhatsApp from this number (E.164, with or without the whatsapp: prefix). */
export async function lastInboundWhatsapp(db: Db, merchantId: string, phone: string): Promise<Date | null> {
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.max('created_at').as('at'))
    .where('merchant_id', '=', merchantId)
    .where('direction', '=', 'in')
    .where('channel', '=', 'whatsapp')
    .where('from_address', 'in', [phone, `whatsapp:${phone}`])
    .executeTakeFirst()
  return row?.at ?? null
}

export async function findPhoneSettings(db: Db, merchantId: string): Promise<PhoneSettingsRow | undefined> {
  return db.selectFrom('phone_settings').selectAll().where('merchant_id', '=', merchantId).executeTakeFirst()
}

export async function upsertPhoneSettings(
  trx: Trx,
  row: Insertable<Database['phone_settings']>,
): Promise<PhoneSettingsRow> {
  const { merchant_id: _m, ...patch } = row
  return trx
    .insertInto('phone_settings')
    .values(row)
    .onConflict((oc) => oc.column('merchant_id').doUpdateSet(patch))
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** The WhatsApp templates with an approved content template (Content SID), for the composer. */
export async function listWhatsappContentTemplates(db: Db, merchantId: string) {
  return db
    .selectFrom('message_templates')
    .select(['id', 'purpose', 'name', 'locale', 'content_sid', 'content_variables'])
    .where('merchant_id', '=', merchantId)
    .where('channel', '=', 'whatsapp')
    .where('archived_at', 'is', null)
    .where('content_sid', 'is not', null)
    .orderBy('purpose')
    .orderBy('locale')
    .execute()
}
