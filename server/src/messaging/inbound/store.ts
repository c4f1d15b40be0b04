import { sql } from 'kysely'
import { type Db, selectOwned, type Trx } from '../../db/owned.js'

// The inbound side's reads and writes of messaging's own tables.

/** The workspace that owns a case we have written to (every reply address went out on one of our messages). */
export async function findMerchantOfCase(db: Db, caseId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('messages')
    .select('merchant_id')
    .where('case_id', '=', caseId)
    .limit(1)
    .executeTakeFirst()
  return row?.merchant_id
}

/** Whether this delivery, or a message with this Message-ID, is recorded already (a replay, a resent email). */
export async function alreadyRecorded(
  db: Db,
  merchantId: string,
  deliveryId: string,
  messageIdHeader: string | null,
): Promise<'delivery' | 'message_id' | null> {
  const row = await selectOwned(db, 'messages', merchantId)
    .select('inbox_delivery_id')
    .where((eb) =>
      messageIdHeader
        ? eb.or([eb('inbox_delivery_id', '=', deliveryId), eb('message_id_header', '=', messageIdHeader)])
        : eb('inbox_delivery_id', '=', deliveryId),
    )
    .limit(1)
    .executeTakeFirst()
  if (!row) return null
  return row.inbox_delivery_id === deliveryId ? 'delivery' : 'message_id'
}

/** Inbound emails from this address since `since` (the loop guard), and the case the latest went to. */
export async function recentFromAddress(
  db: Db,
  merchantId: string,
  address: string,
  since: Date,
): Promise<{ count: number; lastCaseId: string | null }> {
  const row = await selectOwned(db, 'messages', merchantId)
    .select((eb) => [
      eb.fn.countAll<string>().as('n'),
      sql<string | null>`(array_agg(case_id order by created_at desc))[1]`.as('last_case_id'),
    ])
    .where('direction', '=', 'in')
    .where(sql`lower(from_address)`, '=', address.toLowerCase())
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow()
  return { count: Number(row.n), lastCaseId: row.last_case_id }
}

/** Marks an outbound message and the given recipients bounced; returns the recipients that were ours. */
export async function markBounced(
  trx: Trx,
  merchantId: string,
  messageId: string,
  recipients: { address: string; reason: string }[],
  now: Date,
): Promise<string[]> {
  const marked: string[] = []
  for (const r of recipients) {
    const row = await trx
      .updateTable('message_recipients')
      .set({ status: 'bounced', smtp_reply: r.reason.slice(0, 2000), updated_at: now })
      .where('merchant_id', '=', merchantId)
      .where('message_id', '=', messageId)
      .where(sql`lower(address)`, '=', r.address.toLowerCase())
      .returning('address')
      .executeTakeFirst()
    if (row) marked.push(row.address)
  }
  await trx
    .updateTable('messages')
    .set({
      status: 'bounced',
      status_reason: recipients
        .map((r) => r.reason)
        .join('; ')
        .slice(0, 2000),
      updated_at: now,
    })
    .where('merchant_id', '=', merchantId)
    .where('id', '=', messageId)
    .execute()
  return marked
}
