import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import type { CliCommand } from '../modules.js'
import type { AppContext } from '../context.js'
import { auditSigner } from './checkpoints.js'
import * as store from './store.js'
import { toSignedCheckpoint } from './types.js'
import { verifyWorkspace } from './verify.js'

/** Verifies one workspace, or all; prints a line each and says whether every chain is intact. */
export async function verifyWorkspaces(
  ctx: AppContext,
  merchantId: string | undefined,
  out: (line: string) => void,
): Promise<boolean> {
  const merchants = (await store.listMerchants(ctx.db)).filter((m) => !merchantId || m.id === merchantId)
  let allOk = true
  for (const m of merchants) {
    const r = await verifyWorkspace(ctx, m.id)
    const pending = await store.countPending(ctx.db, m.id)
    allOk &&= r.ok
    out(
      r.ok
        ? `${m.slug}: ok, ${r.entries_checked} entries, head seq ${r.head.seq}, ${r.checkpoints_checked} checkpoints checked (${r.external_checkpoints_checked} outside the database)${pending ? `, ${pending} not chained yet` : ''}`
        : `${m.slug}: TAMPERED at seq ${r.first_bad_seq}: ${r.problem} (${r.entries_checked} entries checked)`,
    )
  }
  return allOk
}

const pageSize = 1000

/**
 * JSON lines anyone can check offline: a header with the public key, every chain link with its entry
 * as stored, then every signed checkpoint. Read on one snapshot, so the three agree.
 */
export async function exportAudit(
  ctx: AppContext,
  merchantId: string,
  write: (line: string) => Promise<void> | void,
  now: Date,
): Promise<void> {
  const signer = auditSigner(ctx.keys.audit)
  await store.readSnapshot(ctx.db, async (trx) => {
    await write(
      JSON.stringify({
        type: 'header',
        format: 'claimdesk-audit-export/1',
        merchant_id: merchantId,
        exported_at: now,
        chain:
          'hash = sha256(prev_hash || JCS({merchant_id, id, seq, occurred_at, actor_type, actor_id, action, entity_type, entity_id, changes, request_id})); seq 1 has 32 zero bytes as prev_hash',
        checkpoint_signature: 'Ed25519 over JCS({merchant_id, seq, head_hash, signed_at})',
        public_key: { algorithm: 'Ed25519', key_id: signer.keyId, pem: signer.publicKeyPem },
        pending_entries: await store.countPending(trx, merchantId),
      }),
    )
    for (let afterSeq = 0, full = true; full; ) {
      const page = await store.listChainPage(trx, merchantId, afterSeq, pageSize)
      for (const { seq, entry_id, prev_hash, hash, chained_at, ...entry } of page) {
        await write(
          JSON.stringify({
            type: 'link',
            seq,
            entry_id,
            prev_hash: prev_hash.toString('hex'),
            hash: hash.toString('hex'),
            chained_at,
            entry: entry.id === null ? null : entry,
          }),
        )
      }
      full = page.length === pageSize
      afterSeq = page[page.length - 1]?.seq ?? afterSeq
    }
    for (let afterSeq = 0, full = true; full; ) {
      const page = await store.listCheckpoints(trx, merchantId, { afterSeq, limit: pageSize })
      for (const cp of page) await write(JSON.stringify({ type: 'checkpoint', ...toSignedCheckpoint(cp) }))
      full = page.length === pageSize
      afterSeq = page[page.length - 1]?.seq ?? afterSeq
    }
  })
}

async function writeLines(sink: Writable, fn: (write: (line: string) => Promise<void>) => Promise<void>) {
  await fn(async (line) => {
    if (!sink.write(`${line}\n`)) await once(sink, 'drain')
  })
}

export const auditCli: CliCommand = (program, { withContext, resolveWorkspace, out }) => {
  const audit = program.command('audit').description('The tamper-evident audit trail')

  audit
    .command('verify')
    .description("Check every audit chain (or one workspace's) and its signed checkpoints; exits 1 if any is broken")
    .option('--workspace <slug>', 'only this workspace')
    .action(async (o: { workspace?: string }) => {
      await withContext(async (ctx) => {
        const merchantId = o.workspace ? await resolveWorkspace(ctx, o.workspace) : undefined
        if (!(await verifyWorkspaces(ctx, merchantId, out))) process.exitCode = 1
      })
    })

  audit
    .command('export')
    .description("Write a workspace's audit chain, checkpoints and public key as JSON lines, for offline checking")
    .option('--workspace <slug>', 'needed when there are several workspaces')
    .option('--out <file>', 'write here instead of standard output')
    .action(async (o: { workspace?: string; out?: string }) => {
      await withContext(async (ctx) => {
        const merchantId = await resolveWorkspace(ctx, o.workspace)
        const sink = o.out ? createWriteStream(o.out) : process.stdout
        if (o.out) await once(sink, 'open') // a bad path fails here, as an error, not as a crash mid-stream
        await writeLines(sink, (write) => exportAudit(ctx, merchantId, write, new Date()))
        if (o.out) {
          sink.end()
          await once(sink, 'finish')
          out(`wrote the audit trail to ${o.out}`)
        }
      })
    })
}
