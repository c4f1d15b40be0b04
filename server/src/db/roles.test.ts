import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { startTestEnv } from '../../test/harness.js'
import { checkpointArchive } from '../audit/archive.js'
import { auditSigner, checkpointChains } from '../audit/checkpoints.js'
import { createChain, drain, writeEntries } from '../audit/testing/chains.js'
import { verifyChain } from '../audit/verify.js'

const now = new Date('2026-03-01T12:00:00.000Z')

const env = await startTestEnv()

const denied = { code: '42501' } // insufficient_privilege

describe('the application role', () => {
  it('is not a superuser, cannot bypass row security and owns no audit table', async () => {
    const { rows } = await env.ctx.pool.query(`select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb,
        (select count(*)::int from pg_tables where tablename like 'audit_%' and tableowner = current_user) as owned
      from pg_roles where rolname = current_user`)
    expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false, owned: 0 }])
  })

  it('cannot switch off the append-only triggers', async () => {
    const client = await env.ctx.pool.connect()
    try {
      await expect(client.query('set session_replication_role = replica')).rejects.toMatchObject(denied)
      for (const table of ['audit_entries', 'audit_chain', 'audit_checkpoints', 'audit_pending']) {
        await expect(client.query(`alter table ${table} disable trigger user`)).rejects.toMatchObject(denied)
        await expect(client.query(`drop table ${table} cascade`)).rejects.toMatchObject(denied)
      }
      await expect(client.query('drop function audit_refuse_change() cascade')).rejects.toMatchObject(denied)
    } finally {
      client.release()
    }
  })

  it.each(['audit_entries', 'audit_chain', 'audit_checkpoints'])(
    'may not UPDATE, DELETE or TRUNCATE %s',
    async (table) => {
      const { merchantId } = await createChain(env.ctx.db, 1, now)
      const column = table === 'audit_checkpoints' ? 'key_id' : table === 'audit_chain' ? 'chained_at' : 'action'
      const value = table === 'audit_chain' ? 'now()' : `'x'`
      await expect(
        env.ctx.pool.query(`update ${table} set ${column} = ${value} where merchant_id = $1`, [merchantId]),
      ).rejects.toMatchObject(denied)
      await expect(
        env.ctx.pool.query(`delete from ${table} where merchant_id = $1`, [merchantId]),
      ).rejects.toMatchObject(denied)
      await expect(env.ctx.pool.query(`truncate ${table} cascade`)).rejects.toMatchObject(denied)
      expect((await verifyChain(env.ctx.db, merchantId)).ok).toBe(true)
    },
  )

  it('may not truncate the sequencer queue or edit the migration history', async () => {
    await expect(env.ctx.pool.query('truncate audit_pending')).rejects.toMatchObject(denied)
    await expect(env.ctx.pool.query('update audit_pending set entry_id = entry_id')).rejects.toMatchObject(denied)
    await expect(env.ctx.pool.query('delete from schema_migrations')).rejects.toMatchObject(denied)
  })

  it('still chains and checkpoints the audit trail', async () => {
    const { merchantId, head } = await createChain(env.ctx.db, 3, now)
    await writeEntries(env.ctx.db, merchantId, 2, now)
    expect(await drain(env.ctx.db, now)).toBe(2)
    const signer = auditSigner(env.ctx.keys.audit)
    expect(await checkpointChains(env.ctx.db, signer, now, checkpointArchive(env.ctx.config))).toBeGreaterThanOrEqual(1)
    expect(await verifyChain(env.ctx.db, merchantId, signer.publicKey)).toMatchObject({
      ok: true,
      entries_checked: head + 2,
      checkpoints_checked: 1,
    })
  })

  it("uses the job queue's tables, whose row security the owner switched on", async () => {
    await env.ctx.pool.query(`select graphile_worker.add_job('noop', '{}'::json, job_key := 'role-probe')`)
    const { rows } = await env.ctx.pool.query(
      `select task_identifier from graphile_worker.jobs where key = 'role-probe'`,
    )
    expect(rows).toEqual([{ task_identifier: 'noop' }])
  })
})

describe('the owner role', () => {
  it('is what migrations run as: the audit tables are its own', async () => {
    const admin = new pg.Client(env.adminUrl)
    await admin.connect()
    try {
      const { rows } = await admin.query(
        `select distinct tableowner = current_user as mine from pg_tables where tablename like 'audit_%'`,
      )
      expect(rows).toEqual([{ mine: true }])
    } finally {
      await admin.end()
    }
  })
})
