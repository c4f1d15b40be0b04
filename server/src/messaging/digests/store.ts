import { sql, type Selectable } from 'kysely'
import { type Db, type Trx, ownedRows } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'

export type DigestSettingsRow = Selectable<Database['notification_email_settings']>

export async function findDigestSettings(db: Db, merchantId: string, userId: string) {
  return ownedRows(db, 'notification_email_settings', merchantId).where('user_id', '=', userId).executeTakeFirst()
}

export async function upsertDigestSettings(
  trx: Trx,
  merchantId: string,
  userId: string,
  patch: { enabled?: boolean; interval_minutes?: number },
): Promise<DigestSettingsRow> {
  return trx
    .insertInto('notification_email_settings')
    .values({ merchant_id: merchantId, user_id: userId, ...patch })
    .onConflict((oc) =>
      Object.keys(patch).length
        ? oc.columns(['merchant_id', 'user_id']).doUpdateSet(patch)
        : oc.columns(['merchant_id', 'user_id']).doUpdateSet({ merchant_id: merchantId }),
    )
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** A notification no digest has covered yet: the person's row (defaults when new) remembers the oldest. */
export async function markPending(trx: Trx, merchantId: string, userId: string, at: Date): Promise<void> {
  await trx
    .insertInto('notification_email_settings')
    .values({ merchant_id: merchantId, user_id: userId, pending_at: at })
    .onConflict((oc) =>
      oc.columns(['merchant_id', 'user_id']).doUpdateSet({
        pending_at: sql`least(notification_email_settings.pending_at, excluded.pending_at)`,
      }),
    )
    .execute()
}

/**
 * People due a digest, across workspaces: digests on, a notification pending for `quietBefore` or longer, and their
 * interval past since the last digest. Locked until commit and skipped by other workers (SKIP LOCKED), and read
 * again after a concurrent commit (READ COMMITTED rechecks the WHERE): two workers never take the same person.
 */
export async function claimDue(trx: Trx, now: Date, quietBefore: Date, limit: number): Promise<DigestSettingsRow[]> {
  return trx
    .selectFrom('notification_email_settings')
    .selectAll()
    .where('enabled', '=', true)
    .where('pending_at', '<=', quietBefore)
    .where((eb) =>
      eb.or([
        eb('last_sent_at', 'is', null),
        eb('last_sent_at', '<=', sql<Date>`${now}::timestamptz - make_interval(mins => interval_minutes)`),
      ]),
    )
    .orderBy('pending_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute()
}

export async function updateDigestState(
  trx: Db,
  row: Pick<DigestSettingsRow, 'merchant_id' | 'user_id'>,
  patch: Partial<Pick<DigestSettingsRow, 'pending_at' | 'mailed_until' | 'last_sent_at'>>,
): Promise<void> {
  await trx
    .updateTable('notification_email_settings')
    .set(patch)
    .where('merchant_id', '=', row.merchant_id)
    .where('user_id', '=', row.user_id)
    .execute()
}

/** A digest the mail server refused for now (nothing delivered): due again, unless a later one went out since. */
export async function restoreDigest(db: Db, row: DigestSettingsRow, sentAt: Date, oldest: Date): Promise<void> {
  await db
    .updateTable('notification_email_settings')
    .set({
      last_sent_at: row.last_sent_at,
      mailed_until: row.mailed_until,
      pending_at: sql`least(pending_at, ${oldest}::timestamptz)`,
    })
    .where('merchant_id', '=', row.merchant_id)
    .where('user_id', '=', row.user_id)
    .where('last_sent_at', '=', sentAt)
    .execute()
}
