import { describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../test/harness.js'
import { systemContext } from '../auth/actor.js'
import { openCase } from '../cases/service.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import { checkLink, completeLink, mintLink } from './service.js'
import { signLink } from './signed-links.js'

const { env, m, call, other } = await startTestApp({ other: true, config: { publicUrl: 'https://cd.example.com/' } })
const db = env.ctx.db
const now = new Date()
const later = (ms: number) => new Date(now.getTime() + ms)
const day = 86_400_000

const openIn = (merchantId: string) =>
  db
    .transaction()
    .execute((trx) => openCase(trx, systemContext(merchantId), { caseType: 'lost_parcel', subject: 'Where?' }, now))

const mint = (merchantId: string, caseId: string, expiresAt = later(day)) =>
  db
    .transaction()
    .execute((trx) =>
      mintLink(
        trx,
        { merchantId, purpose: 'evidence_upload', subjectType: 'case', subjectId: caseId, expiresAt, createdBy: null },
        env.ctx,
        now,
      ),
    )

const expectation = { purpose: 'evidence_upload', subjectType: 'case' }
async function caught(p: Promise<unknown>): Promise<AppError> {
  try {
    await p
  } catch (err) {
    if (err instanceof AppError) return err
    throw err
  }
  throw new Error('expected an AppError')
}

describe('stored links', () => {
  it('signs the stored id into the token and gives the page url; checking records the use', async () => {
    const c = await openIn(m.id)
    const link = await mint(m.id, c.id)
    expect(link.url).toBe(`https://cd.example.com/portal/evidence/${link.token}`)
    const payload = JSON.parse(Buffer.from(link.token.split('.')[0]!, 'base64url').toString('utf8'))
    expect(payload.l).toBe(link.id)
    const row = await checkLink(db, env.ctx.keys.links, link.token, expectation, later(1000))
    expect(row).toMatchObject({ id: link.id, subject_id: c.id, last_used_at: later(1000) })
  })

  it('refuses a revoked link with 410 link_revoked and a completed one with 410 link_completed', async () => {
    const c = await openIn(m.id)
    const revoked = await mint(m.id, c.id)
    const res = await call('POST', `/links/${revoked.id}/revoke`, undefined, 'agent')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ id: revoked.id, state: 'revoked', revoked_by: expect.any(String) })
    const a = await caught(checkLink(db, env.ctx.keys.links, revoked.token, expectation, now))
    expect([a.code, a.status]).toEqual(['link_revoked', 410])

    const done = await mint(m.id, c.id)
    expect(await db.transaction().execute((trx) => completeLink(trx, m.id, done.id, now))).toBe(true)
    expect(await db.transaction().execute((trx) => completeLink(trx, m.id, done.id, now))).toBe(false)
    const b = await caught(checkLink(db, env.ctx.keys.links, done.token, expectation, now))
    expect([b.code, b.status]).toEqual(['link_completed', 410])
    // Revoking a dead link changes nothing.
    const again = await call('POST', `/links/${done.id}/revoke`)
    expect(again.json()).toMatchObject({ state: 'completed', revoked_at: null })
  })

  it('refuses an expired link with link_expired, and a lifetime over 90 days before writing anything', async () => {
    const c = await openIn(m.id)
    const link = await mint(m.id, c.id, later(60_000))
    const err = await caught(checkLink(db, env.ctx.keys.links, link.token, expectation, later(60_000)))
    expect([err.code, err.status]).toEqual(['link_expired', 401])
    const tooLong = await caught(mint(m.id, c.id, later(91 * day)))
    expect(tooLong.code).toBe('link_lifetime_too_long')
    const rows = await db.selectFrom('signed_links').select('id').where('subject_id', '=', c.id).execute()
    expect(rows).toHaveLength(1)
  })

  it('refuses a genuinely signed token whose id has no row, and one whose row is for another subject', async () => {
    const c = await openIn(m.id)
    const claims = { merchantId: m.id, purpose: 'evidence_upload', subjectType: 'case', subjectId: c.id }
    const orphan = signLink(env.ctx.keys.links, { ...claims, expiresAt: later(day) }, now)
    expect((await caught(checkLink(db, env.ctx.keys.links, orphan, expectation, now))).status).toBe(401)
    const stored = await mint(m.id, c.id)
    const d = await openIn(m.id)
    const swapped = signLink(
      env.ctx.keys.links,
      { ...claims, subjectId: d.id, linkId: stored.id, expiresAt: later(day) },
      now,
    )
    const err = await caught(checkLink(db, env.ctx.keys.links, swapped, expectation, now))
    expect([err.code, err.status]).toEqual(['link_invalid', 401])
    const notUuid = signLink(env.ctx.keys.links, { ...claims, linkId: 'x\u0000y', expiresAt: later(day) }, now)
    expect((await caught(checkLink(db, env.ctx.keys.links, notUuid, expectation, now))).code).toBe('link_invalid')
  })

  it('lists the case links without tokens, and answers 404 for another workspace case or link', async () => {
    const c = await openIn(m.id)
    const link = await mint(m.id, c.id)
    const res = await call('GET', `/cases/${c.id}/links`, undefined, 'viewer')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().data).toEqual([
      expect.objectContaining({ id: link.id, state: 'active', purpose: 'evidence_upload' }),
    ])
    expect(res.body).not.toContain(link.token)

    const foreign = await openIn(other.id)
    const foreignLink = await mint(other.id, foreign.id)
    expectError(await call('GET', `/cases/${foreign.id}/links`), 404, 'case_not_found', { case_id: foreign.id })
    expectError(await call('POST', `/links/${foreignLink.id}/revoke`), 404, 'link_not_found', {
      link_id: foreignLink.id,
    })
    expect((await checkLink(db, env.ctx.keys.links, foreignLink.token, expectation, now)).revoked_at).toBeNull()
  })

  it('refuses revocation to a role without cases.write, and a malformed id with 400', async () => {
    const c = await openIn(m.id)
    const link = await mint(m.id, c.id)
    expect((await call('POST', `/links/${link.id}/revoke`, undefined, 'viewer')).statusCode).toBe(403)
    expect((await call('POST', `/links/${encodeURIComponent('a\u0000b')}/revoke`)).statusCode).toBe(400)
    expect((await call('POST', `/links/${newId()}/revoke`)).statusCode).toBe(404)
    const audit = await db.selectFrom('audit_entries').selectAll().where('entity_id', '=', link.id).execute()
    expect(audit).toHaveLength(0)
  })
})
