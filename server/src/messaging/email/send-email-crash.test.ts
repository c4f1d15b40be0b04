import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, expect, it } from 'vitest'
import { createTestMerchant, startTestEnv } from '../../../test/harness.js'
import { runDueJobs } from '../../../test/jobs.js'
import { modules } from '../../registry.js'
import { interruptedReason } from './send-email.js'
import { openTestCase, recordTestEmail } from './testing/outbound.js'
import { startSmtpSink } from './testing/smtp-sink.js'

// The real thing: a worker process (`claimdesk worker` on this test's database) killed with SIGKILL while the
// mail server holds its message without answering; the send drain then runs again here.

const sink = await startSmtpSink()
const env = await startTestEnv({ smtpUrl: sink.url })
const { ctx } = env
const m = await createTestMerchant(ctx)
let child: ChildProcess | undefined
afterAll(async () => {
  if (child?.exitCode === null) child.kill('SIGKILL')
  await sink.close()
})

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

it('delivers a message at most once when the sending process is killed mid-send (kill -9), then fails it for a person to retry', async () => {
  const caseId = await openTestCase(ctx, m.id)
  const id = await recordTestEmail(ctx, m.id, { caseId, to: [{ address: 'jane@customer.example' }] })
  sink.plan('stall')

  let output = ''
  child = spawn(process.execPath, [path.resolve('bin/claimdesk.js'), 'worker'], {
    env: {
      ...process.env,
      DATABASE_URL: env.url,
      MIGRATION_DATABASE_URL: env.adminUrl,
      CLAIMDESK_SECRET_KEY: 'crash-test-secret-key-0123456789abcdef',
      DATA_DIR: ctx.config.dataDir,
      SMTP_URL: sink.url,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const collect = (b: Buffer) => {
    output += b
  }
  child.stdout!.on('data', collect)
  child.stderr!.on('data', collect)
  const exited = new Promise((resolve) => child!.once('exit', resolve))
  await Promise.race([
    sink.receivedCount(1),
    exited.then(() => {
      throw new Error(`the worker exited: ${output}`)
    }),
  ])

  // The server has the whole message and has not answered: the recipient was committed as sending before.
  const during = await ctx.db.selectFrom('message_recipients').selectAll().where('message_id', '=', id).execute()
  expect(during.map((r) => r.status)).toEqual(['sending'])
  child.kill('SIGKILL')
  await exited

  // As the reaper does for a worker that stopped beating; and the dead process's session lock is gone with it.
  await sql`select graphile_worker.force_unlock_workers(array(select distinct locked_by from graphile_worker._private_jobs
    where locked_by is not null))`.execute(ctx.db)
  await until('the killed process to leave the database', async () => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_locks
      where locktype = 'advisory' and classid = 21001 and granted`.execute(ctx.db)
    return rows[0]!.n === 0
  })
  await runDueJobs(ctx, modules)

  const row = await ctx.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const sent = sink.received.filter((d) => d.messageId === row.message_id_header)
  expect(sent.length).toBe(1) // the stalled transaction, never a second one
  expect(sink.countFor(row.message_id_header!)).toEqual({}) // never accepted (250) either
  expect(row).toMatchObject({ status: 'failed', status_reason: `jane@customer.example: ${interruptedReason}` })
  const after = await ctx.db.selectFrom('message_recipients').selectAll().where('message_id', '=', id).execute()
  expect(after.map((r) => [r.status, r.smtp_reply])).toEqual([['failed', interruptedReason]])
  const events = await ctx.db.selectFrom('outbox').select('type').where('subject_id', '=', id).execute()
  expect(events.map((e) => e.type)).toEqual(['message.failed'])
  // Nothing retries it: the drain running again sends nothing more.
  await runDueJobs(ctx, modules)
  expect(sink.received.filter((d) => d.messageId === row.message_id_header)).toHaveLength(1)
  expect(await ctx.db.selectFrom('messages').select('status').where('id', '=', id).executeTakeFirstOrThrow()).toEqual({
    status: 'failed',
  })
}, 120_000)
