import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { publishLive } from '../../live/publish.js'
import type { Db } from '../store/cases.js'
import * as presenceStore from '../store/presence.js'
import { findCaseOrThrow } from './find-cases.js'

type Trx = Transaction<Database>

// The collision warning: who else has this case open, and who is writing on it, right now.
// The console beats every 15 s; a beat older than this means the tab is gone.
export const presenceTtlMs = 45_000

export type PresenceState = 'viewing' | 'replying'
export type Presence = { user_id: string; state: PresenceState; since: Date }

/** A heartbeat (state) or a goodbye (null). Others' consoles hear of arrivals, departures and typing; repeats are silent. */
export async function setPresence(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  state: PresenceState | null,
  now: Date,
): Promise<void> {
  const { merchantId } = ctx
  await findCaseOrThrow(trx, merchantId, caseId)
  const userId = ctx.actor.type === 'user' ? ctx.actor.id : null
  // After the case lookup, so another workspace's id answers 404 whoever asks.
  if (!userId) throw new AppError('forbidden', 'Only a signed-in person can be present on a case')
  const expiredBefore = new Date(now.getTime() - presenceTtlMs)
  let news: boolean
  if (state === null) news = await presenceStore.deletePresence(trx, merchantId, caseId, userId)
  else {
    const before = await presenceStore.upsertPresence(
      trx,
      { merchant_id: merchantId, case_id: caseId, user_id: userId, state, seen_at: now },
      expiredBefore,
    )
    news = !before || before.state !== state
  }
  if (news) {
    await publishLive(trx, [
      {
        merchant_id: merchantId,
        type: 'case.presence',
        data: { case_id: caseId, user_id: userId, state },
      },
    ])
  }
}

export async function listPresence(db: Db, merchantId: string, caseId: string, now: Date): Promise<Presence[]> {
  await findCaseOrThrow(db, merchantId, caseId)
  const rows = await presenceStore.listPresence(db, merchantId, caseId, new Date(now.getTime() - presenceTtlMs))
  return rows.map((r) => ({ user_id: r.user_id, state: r.state, since: r.since }))
}

export async function purgeStalePresence(db: Db, now: Date): Promise<number> {
  return presenceStore.purgePresence(db, new Date(now.getTime() - presenceTtlMs))
}
