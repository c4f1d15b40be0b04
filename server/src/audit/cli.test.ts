import { createHash, createPublicKey, verify } from 'node:crypto'
import { Command } from 'commander'
import { beforeAll, describe, expect, it } from 'vitest'
import { startTestEnv } from '../../test/harness.js'
import { modules } from '../registry.js'
import { checkpointArchive } from './archive.js'
import { auditSigner, checkpointChains } from './checkpoints.js'
import { exportAudit, verifyWorkspaces } from './cli.js'
import { createChain, entryIdAt, tamper } from './testing/chains.js'

const now = new Date('2026-03-01T12:00:00.000Z')
const workspaces: { id: string; slug: string }[] = []

const env = await startTestEnv()
beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const { merchantId, slug } = await createChain(env.ctx.db, 12, now)
    workspaces.push({ id: merchantId, slug })
  }
  await checkpointChains(env.ctx.db, auditSigner(env.ctx.keys.audit), now, checkpointArchive(env.ctx.config))
})

// An independent JCS for the export check: the third party's code, not ours.
const jcs = (v: unknown): string =>
  v === null || typeof v !== 'object'
    ? JSON.stringify(v)
    : Array.isArray(v)
      ? `[${v.map(jcs).join(',')}]`
      : `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${jcs((v as Record<string, unknown>)[k])}`)
          .join(',')}}`

describe('audit export', () => {
  it('writes JSON lines a third party can check with nothing but node:crypto', async () => {
    const [alpha] = workspaces
    const lines: string[] = []
    await exportAudit(
      env.ctx,
      alpha!.id,
      (line) => {
        lines.push(line)
      },
      now,
    )
    const records = lines.map((l) => JSON.parse(l))
    const [header] = records
    expect(header).toMatchObject({
      type: 'header',
      merchant_id: alpha!.id,
      pending_entries: 0,
      public_key: { algorithm: 'Ed25519', key_id: auditSigner(env.ctx.keys.audit).keyId },
    })

    const links = records.filter((r) => r.type === 'link')
    let prev = '00'.repeat(32)
    for (const [i, link] of links.entries()) {
      expect(link.seq).toBe(i + 1)
      expect(link.prev_hash).toBe(prev)
      const hash = createHash('sha256')
        .update(Buffer.from(prev, 'hex'))
        .update(jcs({ ...link.entry, seq: link.seq }))
        .digest('hex')
      expect(hash).toBe(link.hash)
      prev = hash
    }
    expect(links.length).toBeGreaterThan(12)

    const checkpoints = records.filter((r) => r.type === 'checkpoint')
    expect(checkpoints).toHaveLength(1)
    const cp = checkpoints[0]
    expect(cp.head_hash).toBe(prev)
    const message = jcs({ merchant_id: cp.merchant_id, seq: cp.seq, head_hash: cp.head_hash, signed_at: cp.signed_at })
    expect(
      verify(null, Buffer.from(message), createPublicKey(header.public_key.pem), Buffer.from(cp.signature, 'base64')),
    ).toBe(true)
  })
})

describe('audit verify', () => {
  it('prints one line per workspace and fails when any chain is broken', async () => {
    const [alpha, beta] = workspaces
    const out: string[] = []
    expect(await verifyWorkspaces(env.ctx, undefined, (l) => out.push(l))).toBe(true)
    expect(out).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^${alpha!.slug}: ok, \\d+ entries, head seq \\d+, 1 checkpoints checked \\(1 outside the database\\)$`,
          ),
        ),
      ]),
    )
    expect(out).toHaveLength(2)

    await tamper(env.adminUrl, [
      [
        'delete from audit_entries where merchant_id = $1 and id = $2',
        [beta!.id, await entryIdAt(env.ctx.pool, beta!.id, 3)],
      ],
    ])
    out.length = 0
    expect(await verifyWorkspaces(env.ctx, undefined, (l) => out.push(l))).toBe(false)
    expect(out).toContainEqual(
      expect.stringMatching(new RegExp(`^${beta!.slug}: TAMPERED at seq 3: entry_missing \\(\\d+ entries checked\\)$`)),
    )
    out.length = 0
    expect(await verifyWorkspaces(env.ctx, alpha!.id, (l) => out.push(l))).toBe(true)
    expect(out).toHaveLength(1)
  })

  it('adds `audit verify` and `audit export` to the CLI through the module registry', () => {
    const program = new Command('claimdesk')
    const tools = {
      withContext: async () => undefined as never,
      resolveWorkspace: async () => '',
      out: () => undefined,
    }
    for (const m of modules) m.cli?.(program, tools)
    const audit = program.commands.find((c) => c.name() === 'audit')
    expect(audit?.commands.map((c) => c.name())).toEqual(['verify', 'export'])
  })
})
