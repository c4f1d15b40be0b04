import type { KeyObject } from 'node:crypto'
import type { Transaction } from 'kysely'
import type { Db } from '../db/database.js'
import type { Database } from '../db/schema.js'
import { chainHash, zeroHash, type ChainedEntry } from './canonical.js'
import type { AppContext } from '../context.js'
import { checkpointArchive } from './archive.js'
import { auditSigner, keyIdOf, verifyCheckpoint } from './checkpoints.js'
import * as store from './store.js'

export type ChainProblem =
  | 'entry_edited'
  | 'entry_missing'
  | 'seq_gap'
  | 'chain_broken'
  | 'truncated'
  | 'checkpoint_invalid'

export type VerifyReport = {
  ok: boolean
  entries_checked: number
  /** Signed checkpoints checked against the chain; 0 means a cut-off tail could go unnoticed. */
  checkpoints_checked: number
  /** The same, from the archive outside the database: what catches a tail rewritten by someone holding the database. */
  external_checkpoints_checked: number
  head: { seq: number; hash: string }
  first_bad_seq?: number
  problem?: ChainProblem
}

type Walk = {
  trx: Transaction<Database>
  merchantId: string
  publicKey?: KeyObject
  keyId?: string
  pageSize: number
  first?: { seq: number; problem: ChainProblem }
  /** The archive's checkpoints not yet compared, in seq order. */
  external: store.CheckpointRow[]
  /** Highest seq a valid checkpoint vouches for. */
  vouched: number
  checkpointsChecked: number
  externalChecked: number
}

// The lowest bad seq wins: pages are checked in order, but a checkpoint can implicate seqs before it.
function flag(w: Walk, seq: number, problem: ChainProblem) {
  if (!w.first || seq < w.first.seq) w.first = { seq, problem }
}

/** Verifies a merchant's chain against its signed checkpoints, both the database's and the archive's. */
export async function verifyWorkspace(ctx: AppContext, merchantId: string): Promise<VerifyReport> {
  const external = await checkpointArchive(ctx.config).list(merchantId)
  return verifyChain(ctx.db, merchantId, auditSigner(ctx.keys.audit).publicKey, 1000, external)
}

/**
 * Walks a merchant's chain in seq order, page by page on one snapshot, recomputing every hash from
 * its entry row. With `publicKey`, signed checkpoints made with it are checked too, which is what
 * catches a tail cut off together with its entries; `external` ones (from the archive) likewise.
 */
export async function verifyChain(
  db: Db,
  merchantId: string,
  publicKey?: KeyObject,
  pageSize = 1000,
  external: store.CheckpointRow[] = [],
): Promise<VerifyReport> {
  return store.readSnapshot(db, async (trx) => {
    const w: Walk = {
      trx,
      merchantId,
      publicKey,
      keyId: publicKey && keyIdOf(publicKey),
      pageSize,
      external,
      vouched: 0,
      checkpointsChecked: 0,
      externalChecked: 0,
    }
    let head: store.ChainHead = { seq: 0, hash: zeroHash }
    let checked = 0
    for (let full = true; full; ) {
      const page = await store.listChainPage(trx, merchantId, head.seq, pageSize)
      const pageAfter = head.seq
      const hashes = new Map<number, Buffer>()
      for (const link of page) {
        if (link.seq !== head.seq + 1) flag(w, head.seq + 1, 'seq_gap')
        else if (!link.prev_hash.equals(head.hash)) flag(w, link.seq, 'chain_broken')
        if (link.id === null) flag(w, link.seq, 'entry_missing')
        else if (!chainHash(link.prev_hash, link as ChainedEntry, link.seq).equals(link.hash))
          flag(w, link.seq, 'entry_edited')
        hashes.set(link.seq, link.hash)
        head = { seq: link.seq, hash: link.hash }
        checked++
      }
      await checkCheckpoints(w, pageAfter, head.seq, hashes)
      full = page.length === pageSize
    }
    await checkCheckpoints(w, head.seq, undefined, new Map())
    if (await store.findUnchainedEntry(trx, merchantId)) flag(w, head.seq + 1, 'truncated')
    return {
      ok: !w.first,
      entries_checked: checked,
      checkpoints_checked: w.checkpointsChecked,
      external_checkpoints_checked: w.externalChecked,
      head: { seq: head.seq, hash: head.hash.toString('hex') },
      ...(w.first ? { first_bad_seq: w.first.seq, problem: w.first.problem } : {}),
    }
  })
}

/**
 * Checkpoints in (afterSeq, upToSeq] are compared with the chain's hash at their seq; any beyond the
 * head (upToSeq undefined) proves links were cut off there. The database's and the archive's are
 * taken together in seq order, so the last seq vouched for is right whichever source vouched.
 */
async function checkCheckpoints(w: Walk, afterSeq: number, upToSeq: number | undefined, hashAt: Map<number, Buffer>) {
  if (!w.publicKey) return
  const headSeq = afterSeq
  for (let full = true; full; ) {
    const rows = await store.listCheckpoints(w.trx, w.merchantId, { afterSeq, upToSeq, limit: w.pageSize })
    full = rows.length === w.pageSize
    const until = full ? rows[rows.length - 1]!.seq : (upToSeq ?? Infinity)
    const split = w.external.findIndex((cp) => cp.seq > until)
    const external = split === -1 ? w.external : w.external.slice(0, split)
    w.external = split === -1 ? [] : w.external.slice(split)
    const merged = [...rows.map((cp) => ({ cp, external: false })), ...external.map((cp) => ({ cp, external: true }))]
    for (const { cp, external: outside } of merged.sort((a, b) => a.cp.seq - b.cp.seq)) {
      if (cp.key_id !== w.keyId) continue // signed before the master secret was rotated: not checkable with this key
      if (!verifyCheckpoint(w.publicKey, cp)) {
        flag(w, cp.seq, 'checkpoint_invalid')
        continue
      }
      if (outside) w.externalChecked++
      else w.checkpointsChecked++
      const hash = hashAt.get(cp.seq)
      if (upToSeq === undefined) flag(w, headSeq + 1, 'truncated')
      // The chain up to here is not the one signed; which link changed first is unknowable past the last vouched one.
      else if (hash && !hash.equals(cp.head_hash)) flag(w, w.vouched + 1, 'truncated')
      else if (hash) w.vouched = cp.seq
    }
    if (full) afterSeq = rows[rows.length - 1]!.seq
  }
}
