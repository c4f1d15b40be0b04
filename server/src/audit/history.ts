import type { Db } from '../db/database.js'
import * as store from './store.js'
import { toAuditEntry, toSignedCheckpoint, type AuditEntry, type SignedCheckpoint } from './types.js'

/** A record's entries, oldest first, with their place in the chain once the sequencer has reached them. */
export async function listEntries(
  db: Db,
  merchantId: string,
  filter: { entityType: string; entityId: string; after?: string; limit: number },
): Promise<AuditEntry[]> {
  return (await store.listEntityEntries(db, merchantId, filter)).map(toAuditEntry)
}

export async function listSignedCheckpoints(
  db: Db,
  merchantId: string,
  page: { afterSeq: number; limit: number },
): Promise<SignedCheckpoint[]> {
  return (await store.listCheckpoints(db, merchantId, page)).map(toSignedCheckpoint)
}
