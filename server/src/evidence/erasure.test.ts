import path from 'node:path'
import type { Transaction } from 'kysely'
import { describe, expect, it } from 'vitest'
import { startTestApp } from '../../test/harness.js'
import { runDueJobs } from '../../test/jobs.js'
import { systemContext } from '../auth/actor.js'
import { openCase } from '../cases/service.js'
import type { Database } from '../db/schema.js'
import { redactCustomer, upsertCustomer } from '../customers/service.js'
import { modules } from '../registry.js'
import { filesUnder, multipart, pdf, photoJpeg } from './testing.js'

const { env, app, m, call } = await startTestApp()
const db = env.ctx.db
const ctx = systemContext(m.id)
const blobRoot = path.join(env.ctx.config.dataDir, 'files')
const tx = <T>(fn: (trx: Transaction<Database>) => Promise<T>) => db.transaction().execute(fn)

async function customerCase(email: string) {
  const { customer } = await tx((trx) =>
    upsertCustomer(trx, ctx, { source: 'test', externalId: email, email, name: 'Sam Reed' }, new Date()),
  )
  const kase = await tx((trx) =>
    openCase(trx, ctx, { caseType: 'damaged', subject: 'Broken', customerId: customer.id }, new Date()),
  )
  return { customerId: customer.id, caseId: kase.id }
}

async function upload(caseId: string, type: string, name: string, data: Buffer) {
  const body = multipart({ type }, { name, data })
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/cases/${caseId}/evidence`,
    headers: { ...body.headers, authorization: `Bearer ${m.keys.admin}` },
    payload: body.payload,
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string; sha256: string }
}

describe("a customer's erasure", () => {
  it("deletes the evidence on the customer's cases, files included, and leaves other customers' alone", async () => {
    const sam = await customerCase('sam@example.com')
    const kim = await customerCase('kim@example.com')
    const photo = await upload(sam.caseId, 'damage_photo', 'sam-at-home.jpg', await photoJpeg())
    await upload(sam.caseId, 'invoice', 'sam-invoice.pdf', await pdf())
    const kept = await upload(kim.caseId, 'damage_photo', 'kim.jpg', await photoJpeg())
    const filesBefore = await filesUnder(blobRoot)

    await tx((trx) => redactCustomer(trx, ctx, sam.customerId, new Date()))
    await runDueJobs(env.ctx, modules)
    await runDueJobs(env.ctx, modules)

    expect((await call('GET', `/cases/${sam.caseId}/evidence`)).json().data).toEqual([])
    expect((await call('GET', `/cases/${kim.caseId}/evidence`)).json().data.map((i: { id: string }) => i.id)).toEqual([
      kept.id,
    ])
    // Two files and a thumbnail gone, nothing else.
    expect((await filesUnder(blobRoot)).length).toBe(filesBefore.length - 3)
    const row = await db
      .selectFrom('cases')
      .select('evidence_count')
      .where('id', '=', sam.caseId)
      .executeTakeFirstOrThrow()
    expect(row.evidence_count).toBe(0)
    const audit = await db
      .selectFrom('audit_entries')
      .select('changes')
      .where('entity_id', '=', photo.id)
      .where('action', '=', 'evidence.erased')
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(audit.changes)).toContain(photo.sha256)
    expect(JSON.stringify(audit.changes)).not.toContain('sam-at-home')
  })
})
