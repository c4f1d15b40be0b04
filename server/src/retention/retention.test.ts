import { Readable } from 'node:stream'
import type { Transaction } from 'kysely'
import { describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../test/harness.js'
import { systemContext } from '../auth/actor.js'
import { openCase } from '../cases/service.js'
import { redactCustomer, upsertCustomer } from '../customers/service.js'
import type { Database } from '../db/schema.js'
import { useBlobHolds } from '../files/index.js'
import { purgedText } from '../messaging/redact/purge-bodies.js'
import { recordMessage } from '../messaging/service.js'
import { type PurgeBatch, setupModules } from '../modules.js'
import { modules } from '../registry.js'
import { heldCaseIds, isHeld } from './index.js'
import { runRetention, usePurgers } from './service/purge.js'

// Legal holds, the retention policies' purge and erasure under a hold (issue 24): real PostgreSQL, real routes.

const { env, m, other, call } = await startTestApp({ other: true })
const { ctx } = env
const sys = systemContext(m.id)
const tx = <T>(fn: (trx: Transaction<Database>) => Promise<T>) => ctx.db.transaction().execute(fn)
const day = 86_400_000
const now = new Date('2026-12-01T12:00:00Z')
const longAgo = new Date(now.getTime() - 4 * 365 * day)

let seq = 0
async function customer(merchantId = m.id): Promise<string> {
  const n = ++seq
  const c = await tx((trx) =>
    upsertCustomer(
      trx,
      systemContext(merchantId),
      { source: 'test', externalId: `c${n}`, email: `c${n}@customer.example`, name: `Customer ${n}` },
      now,
    ),
  )
  return c.customer.id
}

async function caseOf(customerId: string | null, merchantId = m.id): Promise<string> {
  const c = await tx((trx) =>
    openCase(trx, systemContext(merchantId), { caseType: 'damaged', subject: 'Broken teapot', customerId }, now),
  )
  return c.id
}

/** A message on the case, with a stored original (.eml), recorded long ago. */
async function message(caseId: string, text: string): Promise<string> {
  const raw = await ctx.blobs.put(Readable.from([Buffer.from(`Subject: Hi\r\n\r\n${text}\r\n`)]), {
    merchantId: m.id,
    maxBytes: 10_000,
  })
  const msg = await tx((trx) =>
    recordMessage(
      trx,
      sys,
      {
        caseId,
        direction: 'in',
        channel: 'email',
        visibility: 'public',
        status: 'received',
        authorType: 'customer',
        from: { address: 'jane@customer.example' },
        to: [{ address: 'support@shop.example' }],
        cc: [],
        subject: 'My order',
        text,
        rawBlobKey: raw.key,
      },
      longAgo,
    ),
  )
  await ctx.db.updateTable('messages').set({ created_at: longAgo }).where('id', '=', msg.id).execute()
  return msg.id
}

/** Closes the case (as far as retention reads it) at `at`. */
const closeAt = (caseId: string, at: Date) =>
  ctx.db.updateTable('cases').set({ closed_at: at }).where('id', '=', caseId).execute()

const messageRow = (id: string) =>
  ctx.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const timelineOf = (id: string) =>
  ctx.db
    .selectFrom('case_timeline')
    .select(['type', 'data', 'text'])
    .where('merchant_id', '=', m.id)
    .where('dedup_key', '=', `message:${id}`)
    .executeTakeFirstOrThrow()
const runsOf = (merchantId: string) =>
  ctx.db.selectFrom('retention_runs').selectAll().where('merchant_id', '=', merchantId).execute()
const search = async (q: string) =>
  ((await call('GET', `/cases?q=${encodeURIComponent(q)}`)).json().data as { id: string }[]).map((c) => c.id)
const placeHold = (subject_type: 'case' | 'customer', subject_id: string, as = 'admin') =>
  call('POST', '/holds', { subject_type, subject_id, reason: 'Carrier dispute DX-1' }, as)

describe('legal holds', () => {
  it('places a hold on a case with who, when and why, on the timeline and in the audit trail (reason hashed)', async () => {
    const caseId = await caseOf(null)
    const res = await placeHold('case', caseId)
    expect(res.statusCode, res.body).toBe(201)
    const hold = res.json()
    expect(hold).toEqual({
      id: expect.any(String),
      subject_type: 'case',
      subject_id: caseId,
      reason: 'Carrier dispute DX-1',
      placed_by: expect.any(String),
      placed_at: expect.any(String),
      released_by: null,
      released_at: null,
      release_reason: null,
      active: true,
    })
    const listed = await call('GET', `/holds?subject_type=case&subject_id=${caseId}&active=true`, undefined, 'agent')
    expect(listed.json()).toEqual({ data: [hold], next_cursor: null })
    const timeline = await ctx.db
      .selectFrom('case_timeline')
      .select(['type', 'data'])
      .where('case_id', '=', caseId)
      .where('type', '=', 'legal_hold_placed')
      .execute()
    expect(timeline).toEqual([{ type: 'legal_hold_placed', data: expect.objectContaining({ hold_id: hold.id }) }])
    const audit = await ctx.db
      .selectFrom('audit_entries')
      .select('changes')
      .where('entity_id', '=', hold.id)
      .where('action', '=', 'legal_hold.placed')
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(audit.changes)).not.toContain('DX-1')
    expect(await isHeld(ctx.db, m.id, { caseId })).toBe(true)

    const released = await call('POST', `/holds/${hold.id}/release`, { reason: 'Settled' })
    expect(released.statusCode, released.body).toBe(200)
    expect(released.json()).toMatchObject({ active: false, release_reason: 'Settled', released_at: expect.any(String) })
    expect(await isHeld(ctx.db, m.id, { caseId })).toBe(false)
    expectError(await call('POST', `/holds/${hold.id}/release`, { reason: 'Again' }), 409, 'hold_released', {
      hold_id: hold.id,
    })
    const inactive = await call('GET', `/holds?subject_id=${caseId}&active=false`)
    expect(inactive.json().data.map((h: { id: string }) => h.id)).toEqual([hold.id])
  })

  it('refuses bad input with 4xx: unknown subjects, holds of another workspace, empty reasons, agents placing', async () => {
    const id = '01900000-0000-7000-8000-000000000000'
    expectError(await placeHold('case', id), 404, 'case_not_found', { case_id: id })
    expectError(await placeHold('customer', id), 404, 'customer_not_found', { customer_id: id })
    expect((await placeHold('case', 'not-a-uuid')).statusCode).toBe(400)
    const caseId = await caseOf(null)
    expect((await call('POST', '/holds', { subject_type: 'case', subject_id: caseId, reason: '' })).statusCode).toBe(
      400,
    )
    expect((await call('POST', '/holds', { subject_type: 'order', subject_id: caseId, reason: 'x' })).statusCode).toBe(
      400,
    )
    expectError(await placeHold('case', caseId, 'agent'), 403, 'forbidden', expect.anything())
    expect((await placeHold('case', caseId, 'manager')).statusCode).toBe(201)
    const foreign = await caseOf(null, other!.id)
    expectError(await placeHold('case', foreign), 404, 'case_not_found', { case_id: foreign })
    expectError(await call('POST', `/holds/${id}/release`, { reason: 'x' }), 404, 'hold_not_found', { hold_id: id })
    expect((await call('POST', '/holds/nope/release', { reason: 'x' })).statusCode).toBe(400)
  })

  it("holds a customer's cases through a hold on the customer, and a customer through a hold on one case", async () => {
    const jane = await customer()
    const [a, b, loose] = [await caseOf(jane), await caseOf(jane), await caseOf(null)]
    expect((await placeHold('customer', jane)).statusCode).toBe(201)
    expect(await heldCaseIds(ctx.db, m.id, [a, b, loose, 'junk'])).toEqual(new Set([a, b]))
    const bob = await customer()
    const bobs = await caseOf(bob)
    expect(await isHeld(ctx.db, m.id, { customerId: bob })).toBe(false)
    expect((await placeHold('case', bobs)).statusCode).toBe(201)
    expect(await isHeld(ctx.db, m.id, { customerId: bob })).toBe(true)
  })
})

describe('erasure under a hold', () => {
  it('refuses the API erasure of a held customer (409 legal_hold) and erases once released', async () => {
    const jane = await customer()
    const caseId = await caseOf(jane)
    const hold = (await placeHold('case', caseId)).json()
    expectError(await call('DELETE', `/customers/${jane}`), 409, 'legal_hold', {
      customer_id: jane,
      hold_ids: [hold.id],
    })
    expect((await call('GET', `/customers/${jane}`)).json().email).toBe(`c${seq}@customer.example`)
    await call('POST', `/holds/${hold.id}/release`, { reason: 'Settled' })
    const erased = await call('DELETE', `/customers/${jane}`)
    expect(erased.statusCode, erased.body).toBe(200)
    expect(erased.json()).toMatchObject({ email: null, name: null })
  })

  it("defers Shopify's erasure of a held customer and carries it out when the last hold is released", async () => {
    const jane = await customer()
    const caseId = await caseOf(jane)
    const onCustomer = (await placeHold('customer', jane)).json()
    const onCase = (await placeHold('case', caseId)).json()
    const kept = await tx((trx) => redactCustomer(trx, sys, jane, now, { whenHeld: 'defer', source: 'shopify' }))
    expect(kept.email).not.toBeNull()
    const deferred = await ctx.db.selectFrom('erasure_deferrals').selectAll().where('customer_id', '=', jane).execute()
    expect(deferred).toEqual([expect.objectContaining({ source: 'shopify', done_at: null })])

    await call('POST', `/holds/${onCustomer.id}/release`, { reason: 'Court order lifted' })
    expect((await call('GET', `/customers/${jane}`)).json().email).not.toBeNull()
    await call('POST', `/holds/${onCase.id}/release`, { reason: 'Claim settled' })
    expect((await call('GET', `/customers/${jane}`)).json()).toMatchObject({ email: null, name: null })
    const done = await ctx.db.selectFrom('erasure_deferrals').selectAll().where('customer_id', '=', jane).execute()
    expect(done).toEqual([expect.objectContaining({ done_at: expect.any(Date) })])
  })
})

describe('the purge', () => {
  it('purges the message bodies of an old closed case and keeps those of a held one of the same age', async () => {
    const jane = await customer()
    const bob = await customer()
    const [held, free, young] = [await caseOf(jane), await caseOf(bob), await caseOf(bob)]
    const kept = await message(held, 'the held zanzibarite story')
    const purged = [await message(free, 'the purged quokkaberry story'), await message(free, 'a second quokkaberry')]
    const recent = await message(young, 'the young marmaladite story')
    await closeAt(held, longAgo)
    await closeAt(free, longAgo)
    await closeAt(young, new Date(now.getTime() - 10 * day))
    expect((await placeHold('customer', jane)).statusCode).toBe(201)
    expect(await search('quokkaberry')).toContain(free)

    // A dry run counts and writes nothing, its run included.
    const dry = await runRetention(ctx, m.id, now, { dryRun: true })
    const bodies = dry.find((r) => r.kind === 'message_bodies')!
    expect(bodies).toMatchObject({ removed: 2, held: 1, dry_run: true, run_id: null })
    expect((await messageRow(purged[0]!)).text_body).toBe('the purged quokkaberry story')
    expect(await runsOf(m.id)).toEqual([])

    // Batches of one: each batch its own transaction, the run recorded once with its counts and sample.
    const runs = await runRetention(ctx, m.id, now, { batchSize: 1 })
    expect(runs.find((r) => r.kind === 'message_bodies')).toMatchObject({ removed: 2, held: 1, error: null })
    const [run] = (await runsOf(m.id)).filter((r) => r.kind === 'message_bodies')
    expect(run).toMatchObject({ removed: 2, held: 1, dry_run: false, finished_at: expect.any(Date) })
    expect([...run!.sample_ids].sort()).toEqual([...purged].sort())

    for (const id of purged) {
      const row = await messageRow(id)
      expect(row).toMatchObject({ text_body: purgedText, html_body: null, raw_blob_key: null, subject: 'My order' })
      expect(row.body_purged_at).toBeInstanceOf(Date)
      const entry = await timelineOf(id)
      expect(entry.data).toMatchObject({ excerpt: purgedText, purged: true })
      expect(JSON.stringify(entry)).not.toContain('quokkaberry')
    }
    expect(await search('quokkaberry')).not.toContain(free)
    expect((await messageRow(kept)).text_body).toBe('the held zanzibarite story')
    expect((await timelineOf(kept)).data).toMatchObject({ excerpt: 'the held zanzibarite story' })
    expect(await search('zanzibarite')).toContain(held)
    expect((await messageRow(recent)).text_body).toBe('the young marmaladite story')
    // Its original is still readable; the purged ones' are gone.
    expect((await messageRow(kept)).raw_blob_key).not.toBeNull()

    // A second run finds nothing more to take.
    const again = await runRetention(ctx, m.id, now)
    expect(again.find((r) => r.kind === 'message_bodies')).toMatchObject({ removed: 0, held: 1 })
  })

  it('erases inactive customers under an enabled customer_data policy, except a held one and an active one', async () => {
    const [idle, heldOne, busy] = [await customer(), await customer(), await customer()]
    await caseOf(busy) // open: busy is active
    const heldCase = await caseOf(heldOne)
    await closeAt(heldCase, longAgo)
    await ctx.db
      .updateTable('customers')
      .set({ updated_at: longAgo })
      .where('id', 'in', [idle, heldOne, busy])
      .execute()
    await ctx.db.updateTable('cases').set({ updated_at: longAgo }).where('id', '=', heldCase).execute()
    expect((await placeHold('case', heldCase)).statusCode).toBe(201)
    const put = await call('PUT', '/retention/policies', {
      policies: [{ kind: 'customer_data', keep_days: 365, after: 'created' }],
    })
    expect(put.statusCode, put.body).toBe(200)
    const [run] = (await runRetention(ctx, m.id, now)).filter((r) => r.kind === 'customer_data')
    expect(run).toMatchObject({ removed: expect.any(Number), held: 1 })
    expect(run!.sample_ids).toContain(idle)
    expect(run!.sample_ids).not.toContain(heldOne)
    expect(run!.sample_ids).not.toContain(busy)
    expect((await call('GET', `/customers/${idle}`)).json().email).toBeNull()
    expect((await call('GET', `/customers/${heldOne}`)).json().email).not.toBeNull()
    expect((await call('GET', `/customers/${busy}`)).json().email).not.toBeNull()
    await call('PUT', '/retention/policies', { policies: [] })
  })
})

describe("the evidence purger's seam", () => {
  it('hands each evidence policy its scope, the scopes to leave alone, and each case judged held, due or kept', async () => {
    const jane = await customer()
    const [held, due, open] = [await caseOf(jane), await caseOf(null), await caseOf(null)]
    await closeAt(held, longAgo)
    await closeAt(due, longAgo)
    expect((await placeHold('customer', jane)).statusCode).toBe(201)
    // Evidence-like rows standing in for evidence_items until the merge: (id, case, type).
    const items = [
      { id: 'photo-held', caseId: held, type: 'damage_photo' },
      { id: 'photo-due', caseId: due, type: 'damage_photo' },
      { id: 'photo-open', caseId: open, type: 'damage_photo' },
      { id: 'invoice-due', caseId: due, type: 'invoice' },
      { id: 'other-due', caseId: due, type: 'police_report' },
    ]
    const batches: Omit<PurgeBatch, 'judgeCases'>[] = []
    usePurgers([
      {
        kind: 'evidence',
        purge: async (app, { judgeCases, ...batch }) => {
          batches.push(batch)
          const mine = items.filter((i) => (batch.scope ? i.type === batch.scope : !batch.otherScopes.includes(i.type)))
          const verdicts = await judgeCases(
            app.db,
            mine.map((i) => i.caseId),
          )
          const gone = mine.filter((i) => verdicts.get(i.caseId) === 'purge')
          if (!batch.dryRun) for (const i of gone) items.splice(items.indexOf(i), 1)
          const held = mine.filter((i) => verdicts.get(i.caseId) === 'held').length
          return { removed: gone.map((i) => i.id), held, cursor: null }
        },
      },
    ])
    try {
      const runs = await runRetention(ctx, m.id, now)
      const byKind = Object.fromEntries(runs.filter((r) => r.kind.startsWith('evidence')).map((r) => [r.kind, r]))
      // Photos go a year after the case closed; invoices stay seven years; other types follow evidence ''.
      expect(byKind['evidence:damage_photo']).toMatchObject({ removed: 1, held: 1, sample_ids: ['photo-due'] })
      expect(byKind['evidence:invoice']).toMatchObject({ removed: 0 })
      expect(byKind.evidence).toMatchObject({ removed: 0 })
      expect(items.map((i) => i.id)).toEqual(['photo-held', 'photo-open', 'invoice-due', 'other-due'])
      const all = batches.find((b) => b.scope === '')!
      expect(all.otherScopes).toEqual(expect.arrayContaining(['damage_photo', 'invoice', 'customs_declaration']))
      expect(all).toMatchObject({ after: 'case_closed', cursor: null, dryRun: false, merchantId: m.id })
      expect(all.cutoff).toEqual(new Date(now.getTime() - 2555 * day))
    } finally {
      setupModules(modules)
    }
  })
})

describe('the file store under a hold', () => {
  it("refuses to delete a held record's file (409 legal_hold) and deletes it once released", async () => {
    const caseId = await caseOf(null)
    const blob = await ctx.blobs.put(Readable.from([Buffer.from('%PDF-1.4 an invoice')]), {
      merchantId: m.id,
      maxBytes: 10_000,
    })
    // The check evidence registers at merge, standing in: this file belongs to this case.
    useBlobHolds([async (db, merchantId, key) => key === blob.key && isHeld(db, merchantId, { caseId })])
    try {
      const hold = (await placeHold('case', caseId)).json()
      await expect(ctx.blobs.delete(blob.key)).rejects.toMatchObject({ code: 'legal_hold', status: 409 })
      expect(await ctx.blobs.stat(blob.key)).toBeDefined()
      await call('POST', `/holds/${hold.id}/release`, { reason: 'Settled' })
      await ctx.blobs.delete(blob.key)
      expect(await ctx.blobs.stat(blob.key)).toBeUndefined()
    } finally {
      setupModules(modules)
    }
  })
})

describe('retention policies', () => {
  it('lists the documented defaults, replaces the workspace policies, and refuses invalid ones', async () => {
    const defaults = (await call('GET', '/retention/policies')).json().data
    expect(defaults).toContainEqual({
      kind: 'evidence',
      scope: 'invoice',
      keep_days: 2555,
      after: 'case_closed',
      enabled: true,
      source: 'default',
    })
    const put = await call('PUT', '/retention/policies', {
      policies: [{ kind: 'evidence', scope: 'damage_photo', keep_days: 90, after: 'case_closed' }],
    })
    expect(put.statusCode, put.body).toBe(200)
    expect(put.json().data).toContainEqual({
      kind: 'evidence',
      scope: 'damage_photo',
      keep_days: 90,
      after: 'case_closed',
      enabled: true,
      source: 'workspace',
    })
    expectError(
      await call('PUT', '/retention/policies', {
        policies: [
          { kind: 'message_bodies', scope: 'x', keep_days: 5, after: 'created' },
          { kind: 'evidence', scope: 'a', keep_days: 5, after: 'created' },
          { kind: 'evidence', scope: 'a', keep_days: 6, after: 'created' },
        ],
      }),
      422,
      'retention_policy_invalid',
      {
        errors: [
          { index: 0, reason: expect.any(String) },
          { index: 2, reason: expect.any(String) },
        ],
      },
    )
    expect(
      (await call('PUT', '/retention/policies', { policies: [{ kind: 'evidence', keep_days: 0, after: 'created' }] }))
        .statusCode,
    ).toBe(400)
    expectError(
      await call('PUT', '/retention/policies', { policies: [] }, 'agent'),
      403,
      'forbidden',
      expect.anything(),
    )
    expectError(await call('GET', '/retention/policies', undefined, 'agent'), 403, 'forbidden', expect.anything())
    expect((await call('GET', '/retention/runs?kind=evidence')).statusCode).toBe(200)
    await call('PUT', '/retention/policies', { policies: [] })
  })
})
