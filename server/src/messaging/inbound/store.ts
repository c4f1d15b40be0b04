import { sql } from 'kysely'
import { executePrepared } from '../../db/database.js'
import type { Db, Trx } from '../../db/owned.js'

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

export type InboundSeen = {
  /** This delivery is recorded already (a replay), or another message with this Message-ID is (a resent email). */
  recorded: 'delivery' | 'message_id' | null
  /** Inbound emails from the sender since the loop guard's window began, and the case the latest went to. */
  recent: { count: number; lastCaseId: string | null }
}

/** What the inbound path checks before recording an email: replays, resent emails and loops, in one round trip. */
export async function findInboundSeen(
  db: Db,
  merchantId: string,
  deliveryId: string,
  messageIdHeader: string | null,
  fromAddress: string | null,
  since: Date,
): Promise<InboundSeen> {
  // Prepared: run once per inbound email by the inbox drain.
  const rows = await executePrepared(
    db,
    sql<{ by_delivery: boolean; by_message_id: boolean; n: string; last_case_id: string | null }>`
    select
      exists (select from messages where merchant_id = ${merchantId} and inbox_delivery_id = ${deliveryId}) as by_delivery,
      exists (select from messages where merchant_id = ${merchantId} and message_id_header = ${messageIdHeader}::text) as by_message_id,
      count(r.case_id) as n,
      (array_agg(r.case_id order by r.created_at desc))[1] as last_case_id
    from (select case_id, created_at from messages where merchant_id = ${merchantId} and direction = 'in'
      and lower(from_address) = lower(${fromAddress}::text) and created_at >= ${since}) r`,
  )
  const row = rows[0]!
  return {
    recorded: row.by_delivery ? 'delivery' : row.by_message_id ? 'message_id' : null,
    recent: { count: Number(row.n), lastCaseId: row.last_case_id },
  }
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
