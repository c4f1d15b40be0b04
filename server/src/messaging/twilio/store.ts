import type { Db, Trx } from '../../db/owned.js'
import type { MessageRow } from '../store.js'

// Twilio's side of messaging's own tables: messages by Twilio's MessageSid (index messages_provider_id_idx, 0024).

/** The message Twilio knows by this SID, locked until commit so two callbacks for it apply one after the other. */
export async function lockMessageBySid(
  trx: Trx,
  merchantId: string,
  direction: 'in' | 'out',
  sid: string,
): Promise<MessageRow | undefined> {
  return trx
    .selectFrom('messages')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('provider', '=', 'twilio')
    .where('provider_message_id', '=', sid)
    .where('direction', '=', direction)
    .orderBy('id')
    .limit(1)
    .forUpdate()
    .executeTakeFirst()
}

/** Whether an inbound message with this SID, or from this delivery, is recorded already (a replay, a resend). */
export async function inboundRecorded(db: Db, merchantId: string, deliveryId: string, sid: string): Promise<boolean> {
  const row = await db
    .selectFrom('messages')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where((eb) =>
      eb.or([
        eb('inbox_delivery_id', '=', deliveryId),
        eb.and([eb('provider', '=', 'twilio'), eb('provider_message_id', '=', sid), eb('direction', '=', 'in')]),
      ]),
    )
    .limit(1)
    .executeTakeFirst()
  return !!row
}

export async function setMessageStatus(
  trx: Trx,
  merchantId: string,
  id: string,
  patch: { status: MessageRow['status']; status_reason: string | null; sent_at?: Date },
  now: Date,
): Promise<void> {
  await trx
    .updateTable('messages')
    .set({ ...patch, updated_at: now })
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .execute()
}
