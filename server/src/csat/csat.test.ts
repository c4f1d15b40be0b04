import { describe, expect, it } from 'vitest'
import { createTestMerchant, expectError, startTestApp } from '../../test/harness.js'
import { runDueJobs } from '../../test/jobs.js'
import { systemContext } from '../auth/actor.js'
import {
  changeStatus,
  ensureDefaultCaseTypes,
  listNotifications,
  mergeCases,
  openCase,
  reopenCase,
} from '../cases/service.js'
import { newId } from '../ids.js'
import { fireDueActions } from '../jobs/clock-runner.js'
import { clockHandlers } from '../jobs/worker.js'
import { enqueueEvent } from '../jobs/outbox.js'
import { signLink } from '../links/signed-links.js'
import { modules } from '../registry.js'
import { createTeam } from '../teams/service.js'
import { createUser } from '../users/service.js'
import { fireSurvey, sendSurvey, surveyTask, surveyToken } from './service.js'

// Resolutions fall in March 2027, after the test runs: their clock actions fire only when the test says so.
const { env, m, call, other } = await startTestApp({ other: true, config: { publicUrl: 'https://cd.example.com' } })
const db = env.ctx.db
const ctx = systemContext(m.id)
const handlers = clockHandlers(modules)
const clockAt = (now: Date) => fireDueActions(env.ctx, handlers, () => now)
const jobs = () => runDueJobs(env.ctx, modules)
const t0 = new Date('2027-03-01T10:00:00Z')
const plus = (minutes: number, from = t0) => new Date(from.getTime() + minutes * 60_000)

const { lead, manager, team } = await db.transaction().execute(async (trx) => {
  const person = (name: string, role: string) =>
    createUser(
      trx,
      ctx,
      { email: `${name}@csat.example`, name, password: 'correct horse battery staple', roleId: m.roleIds[role]! },
      new Date(),
    )
  const lead = await person('lead', 'agent')
  const manager = await person('manager', 'manager')
  const team = await createTeam(trx, ctx, { name: 'CSAT desk', leadUserId: lead.id, memberIds: [] }, new Date())
  return { lead, manager, team }
})

async function customer(email: string | null = 'sam@example.com') {
  const res = await call('POST', '/customers', {
    source: 'test',
    external_id: `c-${newId()}`,
    name: 'Sam Reed',
    ...(email && { email }),
  })
  expect(res.statusCode, res.body).toBeLessThan(300)
  return res.json().id as string
}

async function open(o: { customer?: boolean; teamId?: string | null; caseType?: string } = {}) {
  const customerId = o.customer === false ? null : await customer()
  const c = await db.transaction().execute((trx) =>
    openCase(
      trx,
      ctx,
      {
        caseType: o.caseType ?? 'lost_parcel',
        subject: 'Where is it?',
        customerId,
        teamId: o.teamId === undefined ? team.id : o.teamId,
      },
      t0,
    ),
  )
  return c.id
}

const resolve = (caseId: string, at: Date, code: 'refunded' | 'duplicate' = 'refunded') =>
  db.transaction().execute((trx) => changeStatus(trx, ctx, caseId, { status: 'resolved', resolutionCode: code }, at))

const surveysOf = (caseId: string) =>
  db.selectFrom('csat_surveys').selectAll().where('case_id', '=', caseId).orderBy('episode').execute()

/** Resolves the case at `at` and lets the event and the clock run: the survey's token, if one went out. */
async function resolvedAndAsked(caseId: string, at = t0) {
  await resolve(caseId, at)
  await jobs()
  await clockAt(at)
  const [survey] = await surveysOf(caseId)
  return survey && surveyToken(env.ctx.keys.links, survey, at)
}

describe('one survey per resolution', () => {
  it('asks once per resolution: a redelivered event and a second firing add nothing, a reopen and resolve asks again', async () => {
    const caseId = await open()
    await resolve(caseId, t0)
    await jobs()
    await clockAt(t0)
    const [first] = await surveysOf(caseId)
    expect(first).toMatchObject({ episode: 0, kind: 'csat', case_type: 'lost_parcel', team_id: team.id })
    expect(first!.expires_at).toEqual(plus(14 * 24 * 60))
    const message = await db.selectFrom('messages').selectAll().where('id', '=', first!.message_id!).executeTakeFirst()
    expect(message).toMatchObject({ automatic: true, subject: expect.stringMatching(/^How did we do\? \(CD-\d+\)$/) })
    const token = surveyToken(env.ctx.keys.links, first!, t0)
    expect(message!.text_body).toContain(`Rate our help: https://cd.example.com/survey/${token}`)
    // The survey's own link, and no portal link minted (and audited) beside it.
    expect(message!.text_body).not.toContain('/portal/')

    // The same event delivered again, and the same action fired again: still one survey.
    const event = await db
      .selectFrom('outbox')
      .selectAll()
      .where('type', '=', 'case.resolved')
      .where('subject_id', '=', caseId)
      .executeTakeFirstOrThrow()
    await db.transaction().execute((trx) =>
      enqueueEvent(trx, {
        merchant_id: m.id,
        type: 'case.resolved',
        subject_id: caseId,
        occurred_at: event.occurred_at,
        data: event.data as never,
      }),
    )
    await jobs()
    await clockAt(plus(5))
    const again = { merchantId: m.id, id: newId(), key: 'k', task: surveyTask, runAt: t0 }
    expect(
      await db
        .transaction()
        .execute((trx) => fireSurvey(trx, { ...again, payload: { case_id: caseId, episode: 0 } }, env.ctx, t0)),
    ).toBeNull()
    expect(await surveysOf(caseId)).toHaveLength(1)
    const asked = await db.selectFrom('messages').select('subject').where('case_id', '=', caseId).execute()
    expect(asked.filter((x) => x.subject.startsWith('How did we do?'))).toHaveLength(1)

    await db.transaction().execute((trx) => reopenCase(trx, ctx, caseId, { reason: 'not arrived' }, plus(60)))
    await resolve(caseId, plus(120))
    await jobs()
    await clockAt(plus(120))
    expect((await surveysOf(caseId)).map((s) => s.episode)).toEqual([0, 1])
  })

  it('does not ask about duplicates, merged cases, cases without a customer, resolutions a day late, or when CSAT is off', async () => {
    const duplicate = await open()
    await resolve(duplicate, t0, 'duplicate')
    const merged = await open()
    const survivor = await open()
    await db.transaction().execute((trx) => mergeCases(trx, ctx, survivor, [merged], t0))
    const noCustomer = await open({ customer: false })
    await resolve(noCustomer, t0)
    // Resolved, then merged before the survey's delay ran out: the action finds it merged and asks nothing.
    const mergedLater = await open()
    await resolve(mergedLater, t0)
    await jobs()
    await db.transaction().execute((trx) => mergeCases(trx, ctx, survivor, [mergedLater], plus(1)))
    // Resolved two days ago, its event read only now (a worker outage): too late to ask.
    const late = await open()
    await resolve(late, new Date(Date.now() - 2 * 86_400_000))
    await jobs()
    expect((await call('PUT', '/csat/settings', { enabled: false })).statusCode).toBe(200)
    const off = await open()
    await resolve(off, t0)
    await jobs()
    expect((await call('PUT', '/csat/settings', { enabled: true })).statusCode).toBe(200)
    await clockAt(plus(10))
    for (const id of [duplicate, merged, noCustomer, mergedLater, late, off]) expect(await surveysOf(id)).toEqual([])
  })

  it('waits the configured delay after the resolution', async () => {
    expect((await call('PUT', '/csat/settings', { delay_minutes: 90 })).json().delay_minutes).toBe(90)
    const caseId = await open()
    await resolve(caseId, t0)
    await jobs()
    await clockAt(plus(89))
    expect(await surveysOf(caseId)).toEqual([])
    await clockAt(plus(90))
    expect(await surveysOf(caseId)).toHaveLength(1)
    await call('PUT', '/csat/settings', { delay_minutes: 0 })
  })
})

describe('the survey link and the answer', () => {
  it('shows the survey, takes one answer, and records it on the case, in the outbox and the audit trail', async () => {
    const caseId = await open()
    const token = await resolvedAndAsked(caseId)
    const view = await call('GET', `/surveys/${token}`, undefined, {})
    expect(view.statusCode, view.body).toBe(200)
    expect(view.headers['cache-control']).toBe('no-store')
    expect(view.json()).toMatchObject({ kind: 'csat', min: 1, max: 5, answered: false, score: null })
    const answer = await call('POST', `/surveys/${token}/answer`, { score: 5, comment: '  Great help!  ' }, {})
    expect(answer.statusCode, answer.body).toBe(200)
    expect(answer.json()).toMatchObject({ answered: true, score: 5 })
    expectError(await call('POST', `/surveys/${token}/answer`, { score: 1 }, {}), 409, 'csat_survey_answered', {
      answered_at: expect.any(String),
    })
    expect((await surveysOf(caseId))[0]).toMatchObject({ score: 5, comment: 'Great help!' })
    const timeline = (await call('GET', `/cases/${caseId}/timeline`)).json().data as { type: string; text: string }[]
    expect(timeline.find((e) => e.type === 'csat_answered')).toMatchObject({ text: 'Customer CSAT 5/5: Great help!' })
    const events = await db.selectFrom('outbox').selectAll().where('type', '=', 'csat.answered').execute()
    expect(events.find((e) => e.subject_id === caseId)?.data).toMatchObject({ score: 5, low: false, commented: true })
    const audit = await db
      .selectFrom('audit_entries')
      .selectAll()
      .where('action', '=', 'csat_survey.answered')
      .where('merchant_id', '=', m.id)
      .execute()
    expect(audit.length).toBeGreaterThan(0)
    expect(JSON.stringify(audit)).not.toContain('Great help')
  })

  it('refuses a score out of range, NUL bytes, a tampered or misused link, and an expired one', async () => {
    const token = await resolvedAndAsked(await open())
    expectError(await call('POST', `/surveys/${token}/answer`, { score: 7 }, {}), 400, 'csat_score_out_of_range', {
      min: 1,
      max: 5,
    })
    expect((await call('POST', `/surveys/${token}/answer`, { score: 11 }, {})).json().error.code).toBe(
      'validation_failed',
    )
    const nul = await call('POST', `/surveys/${token}/answer`, { score: 3, comment: 'a\u0000b' }, {})
    expect(nul.statusCode).toBe(400)
    expect(nul.json().error.details.errors[0].path).toBe('body/comment')
    // Nothing was half-written: the survey still takes its answer.
    const [body, sig] = token!.split('.')
    const tampered = `${body}.${sig!.slice(0, -2)}${sig!.endsWith('AA') ? 'BB' : 'AA'}`
    expectError(await call('GET', `/surveys/${tampered}`, undefined, {}), 401, 'link_invalid')
    const portal = signLink(
      env.ctx.keys.links,
      { merchantId: m.id, purpose: 'case_status', subjectType: 'case', subjectId: newId(), expiresAt: plus(60) },
      t0,
    )
    expectError(await call('GET', `/surveys/${portal}`, undefined, {}), 403, 'link_invalid')
    expect((await call('POST', `/surveys/${token}/answer`, { score: 3 }, {})).statusCode).toBe(200)

    // Asked a month ago (the action fired then, by the wall clock): its link lived 14 days.
    const old = new Date(Date.now() - 30 * 86_400_000)
    const stale = await open()
    await resolve(stale, t0)
    const action = { merchantId: m.id, id: newId(), key: 'k', task: surveyTask, runAt: old }
    await db
      .transaction()
      .execute((trx) => fireSurvey(trx, { ...action, payload: { case_id: stale, episode: 0 } }, env.ctx, old))
    const expired = surveyToken(env.ctx.keys.links, (await surveysOf(stale))[0]!, old)
    expectError(await call('GET', `/surveys/${expired}`, undefined, {}), 401, 'link_expired', {
      expired_at: expect.any(String),
    })
  })

  it("keeps another workspace's surveys invisible", async () => {
    const caseId = await open()
    await resolvedAndAsked(caseId)
    const [survey] = await surveysOf(caseId)
    const stats = await call('GET', '/csat/stats?group_by=case_type', undefined, other.keys.admin)
    expect(stats.json().total).toMatchObject({ sent: 0, responses: 0 })
    await expect(
      db
        .transaction()
        .execute((trx) =>
          sendSurvey(trx, { ...systemContext(other.id), app: env.ctx }, caseId, survey!.id, new Date()),
        ),
    ).rejects.toMatchObject({ code: 'csat_survey_not_found' })
  })

  it("notifies the team's lead of a low score, the managers when there is no lead, nobody of a good one", async () => {
    const withTeam = await open()
    const noTeam = await open({ teamId: null })
    const good = await open()
    for (const [id, score] of [
      [withTeam, 2],
      [noTeam, 1],
      [good, 4],
    ] as const) {
      const token = await resolvedAndAsked(id)
      expect((await call('POST', `/surveys/${token}/answer`, { score, comment: 'Slow' }, {})).statusCode).toBe(200)
    }
    const notes = async (userId: string) =>
      (await listNotifications(db, m.id, userId, { limit: 100 })).filter((n) => n.cause === 'csat_low')
    expect((await notes(lead.id)).map((n) => n.case_id)).toEqual([withTeam])
    expect((await notes(manager.id)).map((n) => n.case_id)).toEqual([noTeam])
    expect((await notes(manager.id))[0]).toMatchObject({ title: expect.stringMatching(/rated us 1\/5$/), body: 'Slow' })
  })
})

describe('settings and stats', () => {
  it('reads and changes the settings; a threshold outside the scale and a role without the right are refused', async () => {
    expect((await call('GET', '/csat/settings', undefined, 'agent')).json()).toEqual({
      enabled: true,
      kind: 'csat',
      delay_minutes: 0,
      low_score_threshold: 2,
      expiry_days: 14,
    })
    expectError(await call('PUT', '/csat/settings', { low_score_threshold: 6 }), 400, 'validation_failed', {
      errors: [{ path: 'body/low_score_threshold', message: 'must be from 1 to 4' }],
    })
    expect((await call('PUT', '/csat/settings', { kind: 'nps' }, 'agent')).statusCode).toBe(403)
    // Switching kind takes the new kind's default threshold.
    expect((await call('PUT', '/csat/settings', { kind: 'nps' })).json()).toMatchObject({ low_score_threshold: 6 })
    expect((await call('PUT', '/csat/settings', { kind: 'csat' })).json()).toMatchObject({ low_score_threshold: 2 })
  })

  it('groups the figures by case type with a tie-breaker, and by week in order', async () => {
    // A workspace of its own, with only these surveys.
    const third = await createTestMerchant(env.ctx)
    const as = (url: string, role: 'admin' | 'agent' = 'admin') => call('GET', url, undefined, third.keys[role])
    await db.transaction().execute((trx) => ensureDefaultCaseTypes(trx, third.id, new Date()))
    const row = (caseType: string, score: number | null, createdAt: string, agent: string | null = null) => ({
      merchant_id: third.id,
      id: newId(),
      case_id: newId(),
      episode: 0,
      kind: 'csat' as const,
      token_hash: newId(),
      expires_at: new Date('2027-01-01T00:00:00Z'),
      case_type: caseType,
      carrier_code: null,
      team_id: null,
      agent_id: agent,
      message_id: null,
      sent_at: new Date(createdAt),
      score,
      comment: null,
      answered_at: score === null ? null : new Date(createdAt),
      created_at: new Date(createdAt),
    })
    await db
      .insertInto('csat_surveys')
      .values([
        row('damaged', 5, '2026-11-02T10:00:00Z'),
        row('damaged', 2, '2026-11-03T10:00:00Z'),
        row('lost_parcel', 4, '2026-11-10T10:00:00Z'),
        row('lost_parcel', 3, '2026-11-10T11:00:00Z'),
        row('other', 5, '2026-11-11T11:00:00Z'),
        row('other', null, '2026-11-11T12:00:00Z'),
      ])
      .execute()
    const byType = await as('/csat/stats?group_by=case_type')
    expect(byType.statusCode, byType.body).toBe(200)
    const body = byType.json()
    // Two answers each for damaged and lost parcel: the labels break the tie.
    expect(body.groups.map((g: { label: string }) => g.label)).toEqual(['Damaged', 'Lost Parcel', 'Other'])
    expect(body.groups[0]).toMatchObject({ sent: 2, responses: 2, average_score: 3.5, csat_percent: 50, nps: null })
    expect(body.groups[2]).toMatchObject({ sent: 2, responses: 1, response_rate: 0.5, csat_percent: 100 })
    expect(body.total).toMatchObject({ sent: 6, responses: 5, average_score: 3.8, csat_percent: 60 })
    const byWeek = (await as('/csat/stats?group_by=week&from=2026-11-01T00:00:00Z')).json()
    expect(byWeek.groups.map((g: { group: string }) => g.group)).toEqual(['2026-11-02', '2026-11-09'])
    expect(byWeek.groups[0].label).toBe('Week of 2026-11-02')
    const agents = (await as('/csat/stats?group_by=agent')).json()
    expect(agents.groups).toMatchObject([{ group: null, label: 'Unassigned', responses: 5 }])
    expectError(await as('/csat/stats?group_by=week', 'agent'), 403, 'forbidden', { permission: 'analytics.read' })
  })
})
