import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../test/harness.js'
import { runDueJobs } from '../../test/jobs.js'
import { systemContext } from '../auth/actor.js'
import { changeStatus, listNotifications, openCase, reopenCase } from '../cases/service.js'
import { fireDueActions } from '../jobs/clock-runner.js'
import { enqueueEvent } from '../jobs/outbox.js'
import { clockHandlers } from '../jobs/worker.js'
import { modules } from '../registry.js'
import { newId } from '../ids.js'
import { createTeam } from '../teams/service.js'
import { createUser } from '../users/service.js'
import { seedDemoCalendars } from './calendars/defaults.js'
import { watchSlaThreshold } from './clocks/watches.js'

// Times fall in March 2027 (after the test runs, so no step falls due on the wall clock while jobs run): Friday
// 5 March 16:00 London (GMT) is an hour and a half before the UK calendar closes for the weekend.
const { env, m, call, other } = await startTestApp({ other: true })
const db = env.ctx.db
const ctx = systemContext(m.id)
const friday = new Date('2027-03-05T16:00:00Z')
const at = (iso: string) => new Date(iso)
const handlers = clockHandlers(modules)
/** One pass of the clock as a (re)started worker makes it, at `now`. */
const clockAt = (now: Date) => fireDueActions(env.ctx, handlers, () => now)
const jobs = () => runDueJobs(env.ctx, modules)

type Clock = {
  target: string
  episode: number
  state: string
  due_at: string
  paused_seconds: number
  elapsed_pct: number
  minutes: number
  met_at: string | null
  breached_at: string | null
}
async function sla(caseId: string) {
  const res = await call('GET', `/cases/${caseId}/sla`)
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as { tier: string; policy_id: string; policy_version: number; targets: Clock[] }
}
const clock = async (caseId: string, target: string, episode = 1) =>
  (await sla(caseId)).targets.find((t) => t.target === target && t.episode === episode)!

const { businessHoursId: uk } = await db.transaction().execute((trx) => seedDemoCalendars(trx, ctx, new Date()))

// The default tiers on UK business hours, published as version 2 of each.
const policies = (await call('GET', '/sla/policies')).json().data as {
  id: string
  name: string
  draft: { targets: { calendar_id: string | null }[] }
}[]
for (const p of policies) {
  const draft = { ...p.draft, targets: p.draft.targets.map((t) => ({ ...t, calendar_id: uk })) }
  expect((await call('PUT', `/sla/policies/${p.id}`, { draft })).statusCode).toBe(200)
  expect((await call('POST', `/sla/policies/${p.id}/publish`)).json().live_version).toBe(2)
}
const policy = (name: string) => policies.find((p) => p.name === name)!

const { lead, agent, team } = await db.transaction().execute(async (trx) => {
  const person = (name: string) =>
    createUser(
      trx,
      ctx,
      { email: `${name}@sla.example`, name, password: 'correct horse battery staple', roleId: m.roleIds.agent! },
      new Date(),
    )
  const lead = await person('lead')
  const agent = await person('agent')
  const team = await createTeam(trx, ctx, { name: 'SLA desk', leadUserId: lead.id, memberIds: [agent.id] }, new Date())
  return { lead, agent, team }
})

async function open(input: Partial<Parameters<typeof openCase>[2]>, now = friday) {
  const c = await db.transaction().execute((trx) =>
    openCase(
      trx,
      ctx,
      {
        caseType: 'lost_parcel',
        subject: 'Where is it?',
        priority: 'normal',
        teamId: team.id,
        assigneeId: agent.id,
        ...input,
      },
      now,
    ),
  )
  await jobs()
  return c.id
}

/** A message event as the messaging module writes it, at `when`. */
async function emit(type: 'message.sent' | 'message.received', caseId: string, when: Date) {
  const common = { message_id: newId(), case_id: caseId, channel: 'email', visibility: 'public' } as const
  await db.transaction().execute((trx) =>
    type === 'message.sent'
      ? enqueueEvent(trx, {
          merchant_id: m.id,
          type,
          subject_id: caseId,
          occurred_at: when,
          data: { ...common, public: true, automatic: false, author_id: agent.id },
        })
      : enqueueEvent(trx, {
          merchant_id: m.id,
          type,
          subject_id: caseId,
          occurred_at: when,
          data: { ...common, customer_id: null, robot: null, new_case: false },
        }),
  )
  await jobs()
}

const notes = async (userId: string, caseId: string) =>
  (await listNotifications(db, m.id, userId, { limit: 200 })).filter(
    (n) => n.case_id === caseId && n.cause.startsWith('sla_'),
  )
const outbox = (type: string, caseId: string) =>
  db.selectFrom('outbox').select('data').where('type', '=', type).where('subject_id', '=', caseId).execute()

describe('SLA clocks on cases', () => {
  it('gives a case under each default tier its business-time deadlines on the UK calendar', async () => {
    const high = await open({ value: { amount_minor: 30_000, currency: 'GBP' } })
    const medium = await open({ priority: 'urgent' })
    const low = await open({})
    expect((await sla(high)).tier).toBe('high')
    expect((await sla(medium)).tier).toBe('medium')
    expect((await sla(low)).tier).toBe('low')
    // 90 minutes on Friday, the rest from Monday 09:00.
    expect((await clock(high, 'first_response')).due_at).toBe('2027-03-08T11:30:00.000Z') // 240
    expect((await clock(high, 'resolution')).due_at).toBe('2027-03-08T15:30:00.000Z') // 480
    expect((await clock(medium, 'first_response')).due_at).toBe('2027-03-08T15:30:00.000Z') // 480
    expect((await clock(medium, 'resolution')).due_at).toBe('2027-03-10T14:30:00.000Z') // 1440
    expect((await clock(low, 'resolution')).due_at).toBe('2027-03-15T13:00:00.000Z') // 2880
    // next_response runs only after a customer writes.
    expect((await sla(high)).targets.map((t) => t.target).sort()).toEqual(['first_response', 'resolution'])
    // The case carries its tier and its soonest due time for the list.
    const list = (await call('GET', '/cases?sla_state=active&sort=sla_due&limit=3')).json().data as {
      id: string
      sla_tier: string
      sla_next_due_at: string
    }[]
    expect(list[0]).toMatchObject({ id: high, sla_tier: 'high', sla_next_due_at: '2027-03-08T11:30:00.000Z' })
    const soon = (await call('GET', '/cases?sla_state=active&sla_due_before=2027-03-08T12:00:00Z')).json().data
    expect(soon.map((c: { id: string }) => c.id)).toEqual([high])
  })

  it('gives the first case of a workspace made before SLAs existed the default tiers', async () => {
    await sql`delete from sla_policy_versions where merchant_id = ${other.id}`.execute(db)
    await sql`delete from sla_policies where merchant_id = ${other.id}`.execute(db)
    const octx = systemContext(other.id)
    const c = await db
      .transaction()
      .execute((trx) => openCase(trx, octx, { caseType: 'lost_parcel', subject: 'Lost', priority: 'normal' }, friday))
    await jobs()
    const names = await db.selectFrom('sla_policies').select('name').where('merchant_id', '=', other.id).execute()
    expect(names.length).toBeGreaterThan(1)
    const tier = await db
      .selectFrom('sla_clocks')
      .select(['target', 'policy_id'])
      .where('merchant_id', '=', other.id)
      .where('case_id', '=', c.id)
      .execute()
    expect(tier.map((t) => t.target).sort()).toEqual(['first_response', 'resolution'])
  })

  it('pauses while waiting on the customer and pushes the due time by the paused business time', async () => {
    const id = await open({ value: { amount_minor: 30_000, currency: 'GBP' } })
    await db
      .transaction()
      .execute((trx) => changeStatus(trx, ctx, id, { status: 'waiting_customer' }, at('2027-03-08T09:30:00Z')))
    await jobs()
    expect(await clock(id, 'first_response')).toMatchObject({ state: 'paused' })
    expect((await call('GET', `/cases/${id}`)).json().sla_state).toBe('paused')
    await db.transaction().execute((trx) => changeStatus(trx, ctx, id, { status: 'open' }, at('2027-03-08T10:30:00Z')))
    await jobs()
    expect(await clock(id, 'first_response')).toMatchObject({
      state: 'active',
      due_at: '2027-03-08T12:30:00.000Z',
      paused_seconds: 3600,
    })
    expect(await outbox('sla.paused', id)).toHaveLength(1)
    expect(await outbox('sla.resumed', id)).toHaveLength(1)
  })

  it('escalates at 75 % and 100 % to the right people exactly once, across restarts of the clock', async () => {
    const id = await open({ value: { amount_minor: 30_000, currency: 'GBP' } })
    const before = { agent: (await notes(agent.id, id)).length, lead: (await notes(lead.id, id)).length }
    // 75 % of 240 business minutes: 90 on Friday and 90 on Monday.
    for (let restart = 0; restart < 2; restart++) await clockAt(at('2027-03-08T10:30:00Z'))
    expect((await notes(agent.id, id)).length).toBe(before.agent + 1)
    expect((await notes(lead.id, id)).length).toBe(before.lead)
    for (let restart = 0; restart < 3; restart++) await clockAt(at('2027-03-08T11:30:00Z'))
    await jobs()
    expect((await notes(lead.id, id)).length).toBe(before.lead + 1)
    expect((await notes(agent.id, id)).length).toBe(before.agent + 2) // at risk, then breached
    expect((await notes(lead.id, id))[0]!.title).toMatch(/SLA first response breached/)
    expect(await clock(id, 'first_response')).toMatchObject({
      state: 'breached',
      breached_at: '2027-03-08T11:30:00.000Z',
    })
    expect(await outbox('sla.breached', id)).toHaveLength(1)
    expect(await outbox('sla.step_fired', id)).toHaveLength(2)
    const steps = await call('GET', `/cases/${id}/timeline?type=sla_step`)
    expect(steps.statusCode, steps.body).toBe(200)
    expect(steps.json().data).toHaveLength(2)
    expect((await call('GET', `/cases/${id}`)).json().sla_state).toBe('breached')
    // A person's public reply meets it late; nothing more fires for it.
    await emit('message.sent', id, at('2027-03-08T11:45:00Z'))
    expect(await clock(id, 'first_response')).toMatchObject({ state: 'met', met_at: '2027-03-08T11:45:00.000Z' })
    expect((await outbox('sla.met', id))[0]!.data).toMatchObject({ target: 'first_response', late: true })
  })

  it('keeps the policy version a case started with when a new one is published', async () => {
    const id = await open({ priority: 'urgent' })
    const p = policy('Urgent')
    const live = (await call('GET', `/sla/policies/${p.id}`)).json().live
    const draft = { ...live, targets: live.targets.map((t: { minutes: number }) => ({ ...t, minutes: t.minutes * 2 })) }
    await call('PUT', `/sla/policies/${p.id}`, { draft })
    expect((await call('POST', `/sla/policies/${p.id}/publish`)).json().live_version).toBe(3)
    expect(await sla(id)).toMatchObject({ policy_version: 2 })
    expect((await clock(id, 'first_response')).minutes).toBe(480)
    const later = await open({ priority: 'urgent' })
    expect(await sla(later)).toMatchObject({ policy_version: 3 })
    expect((await clock(later, 'first_response')).minutes).toBe(960)
    expect((await call('GET', `/sla/policies/${p.id}/versions`)).json().data).toHaveLength(3)
  })

  it('re-applies another policy keeping the time spent, and sets an explicit target', async () => {
    const id = await open({})
    // Monday 10:00: 90 + 60 business minutes spent.
    const now = at('2027-03-08T10:00:00Z')
    await db
      .transaction()
      .execute((trx) =>
        import('./clocks/service.js').then((s) =>
          s.applySlaPolicy(trx, systemContext(m.id), id, { policyId: policy('Urgent').id }, now),
        ),
      )
    const c = await clock(id, 'first_response')
    // Urgent v3: 960 minutes; 150 spent, so 810 left from Monday 10:00.
    expect(c).toMatchObject({ minutes: 960, due_at: '2027-03-09T15:00:00.000Z' })
    expect((await sla(id)).tier).toBe('medium')
    const res = await call('PUT', `/cases/${id}/sla/targets/resolution`, { minutes: 1440, business: false })
    expect(res.statusCode, res.body).toBe(200)
    const r = res.json().targets.find((t: Clock) => t.target === 'resolution')
    expect(r).toMatchObject({ minutes: 1440, business_time: false })
  })

  it('starts a new resolution episode when a resolved case reopens; the first keeps its outcome', async () => {
    const id = await open({})
    await db
      .transaction()
      .execute((trx) =>
        changeStatus(trx, ctx, id, { status: 'resolved', resolutionCode: 'refunded' }, at('2027-03-08T10:00:00Z')),
      )
    await jobs()
    expect(await clock(id, 'resolution')).toMatchObject({ state: 'met', met_at: '2027-03-08T10:00:00.000Z' })
    await db
      .transaction()
      .execute((trx) => reopenCase(trx, ctx, id, { reason: 'still missing' }, at('2027-03-08T11:00:00Z')))
    await jobs()
    expect(await clock(id, 'resolution')).toMatchObject({ state: 'met' })
    expect(await clock(id, 'resolution', 2)).toMatchObject({ state: 'active', due_at: '2027-03-15T16:30:00.000Z' })
  })

  it('meets every open target when the case is resolved, a breached one late; a reopen restarts only the resolution', async () => {
    const id = await open({ value: { amount_minor: 30_000, currency: 'GBP' } })
    const status = async (to: Parameters<typeof changeStatus>[3], when: string) => {
      await db.transaction().execute((trx) => changeStatus(trx, ctx, id, to, at(when)))
      await jobs()
    }
    const attainment = async () => {
      const rows = (await call('GET', '/sla/reports/attainment?group_by=case_type')).json().rows as {
        group: string
        target: string
        met: number
        breached: number
        active: number
      }[]
      return rows.filter((r) => r.group === 'lost_parcel')
    }
    const listed = async (state: string) =>
      ((await call('GET', `/cases?sla_state=${state}&limit=200`)).json().data as { id: string }[]).some(
        (c) => c.id === id,
      )
    await clockAt(at('2027-03-08T11:30:00Z')) // first response breached
    await emit('message.received', id, at('2027-03-08T11:45:00Z')) // next response runs
    await status({ status: 'waiting_customer' }, '2027-03-08T12:00:00Z') // all three paused
    const before = await attainment()
    await status({ status: 'resolved', resolutionCode: 'refunded' }, '2027-03-08T13:00:00Z')
    const targets = (await sla(id)).targets
    expect(targets.map((t) => [t.target, t.episode, t.state, t.met_at, t.breached_at, t.paused_seconds])).toEqual([
      ['first_response', 1, 'met', '2027-03-08T13:00:00.000Z', '2027-03-08T11:30:00.000Z', 3600],
      ['next_response', 1, 'met', '2027-03-08T13:00:00.000Z', null, 3600],
      ['resolution', 1, 'met', '2027-03-08T13:00:00.000Z', null, 3600],
    ])
    const met = (await outbox('sla.met', id)).map((e) => e.data as { target: string; late: boolean })
    expect(met.map((e) => [e.target, e.late]).sort()).toEqual([
      ['first_response', true],
      ['next_response', false],
      ['resolution', false],
    ])
    // Nothing of the case is left to fire.
    const armed = await db
      .selectFrom('scheduled_actions')
      .select('key')
      .where('key', 'like', `sla:${id}:%`)
      .where('state', '=', 'scheduled')
      .execute()
    expect(armed).toEqual([])
    expect((await call('GET', `/cases/${id}`)).json()).toMatchObject({ sla_state: 'met', sla_next_due_at: null })
    expect(await listed('met')).toBe(true)
    expect(await listed('paused')).toBe(false)
    expect(await listed('breached')).toBe(false)
    // The report counts them done: the resolution and next response met, the first response's breach kept.
    const after = await attainment()
    const delta = (target: string, k: 'met' | 'breached' | 'active') =>
      after.find((r) => r.target === target)![k] - (before.find((r) => r.target === target)?.[k] ?? 0)
    expect(
      ['first_response', 'next_response', 'resolution'].map((t) => [
        t,
        delta(t, 'met'),
        delta(t, 'breached'),
        delta(t, 'active'),
      ]),
    ).toEqual([
      ['first_response', 0, 0, -1],
      ['next_response', 1, 0, -1],
      ['resolution', 1, 0, -1],
    ])
    // A reopen runs the resolution again, not the first response; the customer's next message runs next response.
    await db
      .transaction()
      .execute((trx) => reopenCase(trx, ctx, id, { reason: 'still missing' }, at('2027-03-08T14:00:00Z')))
    await jobs()
    await emit('message.received', id, at('2027-03-08T14:30:00Z'))
    expect((await sla(id)).targets.map((t) => [t.target, t.episode, t.state])).toEqual([
      ['first_response', 1, 'met'],
      ['next_response', 1, 'met'],
      ['next_response', 2, 'active'],
      ['resolution', 1, 'met'],
      ['resolution', 2, 'active'],
    ])
    expect((await call('GET', `/cases/${id}`)).json().sla_state).toBe('active')
  })

  it('requests a remedy on breach as an event and a timeline entry', async () => {
    const res = await call('POST', '/sla/policies', {
      name: 'Damaged VIP',
      position: 1,
      tier: 'high',
      conditions: [{ field: 'case_type', op: 'in', values: ['damaged'] }],
      targets: [
        {
          target: 'resolution',
          minutes: 60,
          calendar_id: null,
          steps: [
            { percent: 100, actions: [{ type: 'remedy', remedy: 'priority_return', params: { carrier: 'dhl' } }] },
          ],
        },
      ],
      alert_calendar_id: null,
    })
    expect(res.statusCode, res.body).toBe(201)
    const id = await open({ caseType: 'damaged' })
    const preview = (await call('POST', '/sla/policies/preview', { case_id: id })).json()
    expect(preview).toMatchObject({ policy_name: 'Damaged VIP', tier: 'high' })
    expect(preview.tried.at(-1).conditions).toEqual([
      { field: 'case_type', op: 'in', matched: true, actual: 'damaged' },
    ])
    await clockAt(at('2027-03-05T17:00:00Z'))
    await jobs()
    const [remedy] = await outbox('sla.remedy_requested', id)
    expect(remedy!.data).toMatchObject({ remedy: 'priority_return', params: { carrier: 'dhl' }, target: 'resolution' })
    const timeline = (await call('GET', `/cases/${id}/timeline?type=sla_remedy`)).json().data
    expect(timeline).toHaveLength(1)
    // Search finds the case by the remedy asked for, not by the SLA's own words about its clocks.
    const found = async (q: string) =>
      (await call('GET', `/cases?q=${encodeURIComponent(q)}`)).json().data.map((x: { id: string }) => x.id)
    expect(await found('priority return')).toContain(id)
    expect((await call('GET', `/cases/${id}/timeline?type=sla_breached`)).json().data[0].text).toMatch(/breached/)
    expect(await found('breached')).not.toContain(id)
  })

  /** A one-hour resolution on a channel: its lead told at 50 % (urgent), its assignee at 100 %. */
  async function alertingPolicy(name: string, channel: string, alertCalendarId: string | null) {
    const res = await call('POST', '/sla/policies', {
      name,
      position: 0,
      tier: 'high',
      conditions: [{ field: 'channel', op: 'in', values: [channel] }],
      targets: [
        {
          target: 'resolution',
          minutes: 60,
          calendar_id: null,
          steps: [
            { percent: 50, urgent: true, actions: [{ type: 'notify', to: 'team_lead' }] },
            { percent: 100, actions: [{ type: 'notify', to: 'assignee' }] },
          ],
        },
      ],
      alert_calendar_id: alertCalendarId,
    })
    expect(res.statusCode, res.body).toBe(201)
  }

  it("holds a step's alerts through the alert calendar's closed hours unless the step is urgent", async () => {
    await alertingPolicy('Phone line', 'phone', uk)
    // Friday 17:15: the calendar closes at 17:30.
    const id = await open({ channel: 'phone' }, at('2027-03-05T17:15:00Z'))
    await clockAt(at('2027-03-05T18:15:00Z'))
    expect(await notes(lead.id, id)).toHaveLength(1) // urgent: at 17:45, closed or not
    expect(await notes(agent.id, id)).toHaveLength(0) // held for Monday
    const held = await db
      .selectFrom('scheduled_actions')
      .select('run_at')
      .where('task', '=', 'sla:alert')
      .where('state', '=', 'scheduled')
      .executeTakeFirstOrThrow()
    expect(held.run_at.toISOString()).toBe('2027-03-08T09:00:00.000Z')
    await clockAt(at('2027-03-08T09:00:00Z'))
    expect(await notes(agent.id, id)).toHaveLength(1)
    expect((await notes(agent.id, id))[0]!.title).toMatch(/SLA resolution breached/)
  })

  it("holds a step's alerts through the case team's off-hours unless urgent, and sends them at night for a team without hours", async () => {
    // The team's business hours through the API: a calendar of this workspace, or none.
    const theirs = await db.transaction().execute((trx) => seedDemoCalendars(trx, systemContext(other.id), new Date()))
    const body = { name: 'Day desk', lead_user_id: lead.id, member_ids: [agent.id] }
    for (const calendar_id of [theirs.businessHoursId, '0193aaaa-0000-7000-8000-000000000004'])
      expectError(await call('POST', '/teams', { ...body, calendar_id }), 400, 'validation_failed', {
        errors: [{ path: 'body/calendar_id', message: `no calendar ${calendar_id} in this workspace` }],
      })
    expect((await call('POST', '/teams', { ...body, calendar_id: 'uk' })).statusCode).toBe(400)
    const created = await call('POST', '/teams', body)
    expect(created.json()).toMatchObject({ name: 'Day desk', calendar_id: null })
    const day = created.json().id as string
    const patched = await call('PATCH', `/teams/${day}`, { calendar_id: uk })
    expect(patched.json()).toMatchObject({
      calendar_id: uk,
      lead_user_id: lead.id,
      member_ids: [agent.id, lead.id].sort(),
    })
    expectError(
      await call('PATCH', `/teams/${day}`, { calendar_id: theirs.businessHoursId }),
      400,
      'validation_failed',
      { errors: [{ path: 'body/calendar_id', message: `no calendar ${theirs.businessHoursId} in this workspace` }] },
    )
    expect((await call('GET', `/teams/${day}`)).json().calendar_id).toBe(uk)
    const night = (await call('POST', '/teams', { ...body, name: 'Night desk' })).json().id as string
    // A calendar a team keeps its hours in is not deleted from under it.
    const refused = await call('DELETE', `/sla/calendars/${uk}`)
    expect(refused.statusCode).toBe(409)
    expect(refused.json().error.details).toMatchObject({ calendar_id: uk, team_ids: [day] })

    // A policy that holds nothing itself: no alert calendar.
    await alertingPolicy('Chat line', 'chat', null)
    // Friday 17:15, the UK hours close at 17:30: both steps fall after closing.
    const dayCase = await open({ channel: 'chat', teamId: day }, at('2027-03-05T17:15:00Z'))
    const nightCase = await open({ channel: 'chat', teamId: night }, at('2027-03-05T17:15:00Z'))
    await clockAt(at('2027-03-05T18:15:00Z'))
    expect(await notes(lead.id, dayCase)).toHaveLength(1) // urgent: at 17:45, closed or not
    expect(await notes(agent.id, dayCase)).toHaveLength(0) // held for Monday
    expect(await notes(lead.id, nightCase)).toHaveLength(1)
    expect(await notes(agent.id, nightCase)).toHaveLength(1) // no hours anywhere: sent at night
    const held = await db
      .selectFrom('scheduled_actions')
      .select(['run_at', 'payload'])
      .where('task', '=', 'sla:alert')
      .where('state', '=', 'scheduled')
      .execute()
    const ours = held.filter((h) => [dayCase, nightCase].includes((h.payload as { case_id: string }).case_id))
    expect(ours.map((h) => [h.run_at.toISOString(), (h.payload as { case_id: string }).case_id])).toEqual([
      ['2027-03-08T09:00:00.000Z', dayCase],
    ])
    for (let restart = 0; restart < 2; restart++) await clockAt(at('2027-03-08T09:00:00Z'))
    expect((await notes(agent.id, dayCase)).map((n) => n.title)).toEqual([
      expect.stringMatching(/SLA resolution breached/),
    ])
  })

  it('calls a watcher at its threshold of the running target', async () => {
    const id = await open({ priority: 'urgent' })
    await db
      .transaction()
      .execute((trx) =>
        watchSlaThreshold(
          trx,
          m.id,
          id,
          'first_response',
          { percent: 50 },
          'rules:sla_threshold',
          { rule: 'r1' },
          new Date(),
        ),
      )
    const action = await db
      .selectFrom('scheduled_actions')
      .select(['run_at', 'payload'])
      .where('task', '=', 'rules:sla_threshold')
      .executeTakeFirstOrThrow()
    // 50 % of 960: 90 on Friday, 390 on Monday.
    expect(action.run_at.toISOString()).toBe('2027-03-08T15:30:00.000Z')
    expect(action.payload).toMatchObject({ rule: 'r1', case_id: id, target: 'first_response', episode: 1 })
  })

  it('reports attainment per target and group', async () => {
    const res = await call('GET', '/sla/reports/attainment?group_by=case_type')
    expect(res.statusCode, res.body).toBe(200)
    const rows = res.json().rows as { group: string; target: string; met: number; breached: number }[]
    const fr = rows.find((r) => r.group === 'lost_parcel' && r.target === 'first_response')!
    expect(fr.met + fr.breached).toBeGreaterThanOrEqual(1)
    expect((await call('GET', '/sla/reports/attainment?group_by=week')).json().rows[0].group).toMatch(/^2027-W\d\d$/)
  })
})

describe('SLA bad inputs', () => {
  const base = { tier: 'low', conditions: [], alert_calendar_id: null }
  it('refuses invalid policies with every problem named', async () => {
    const res = await call('POST', '/sla/policies', {
      name: 'Bad',
      ...base,
      targets: [
        { target: 'resolution', minutes: 60, calendar_id: null },
        { target: 'resolution', minutes: 60, calendar_id: '0193aaaa-0000-7000-8000-000000000001' },
        { target: 'evidence', minutes: 60, calendar_id: null, steps: [{ actions: [{ type: 'escalate' }] }] },
      ],
    })
    expectError(res, 422, 'sla_policy_invalid', {
      errors: [
        { path: 'body/targets/1/target', message: 'resolution appears twice' },
        { path: 'body/targets/2/milestone_event', message: 'a custom milestone names the event that meets it' },
        { path: 'body/targets/2/steps/0', message: 'give either percent or offset_minutes' },
        { path: 'body/targets/1/calendar_id', message: 'no calendar 0193aaaa-0000-7000-8000-000000000001' },
      ],
    })
    expect((await call('POST', '/sla/policies', { name: 'x', ...base, targets: [] })).statusCode).toBe(400)
    expect(
      (await call('POST', '/sla/policies', { name: 'x', ...base, targets: [{ target: 'Bad!' }] })).statusCode,
    ).toBe(400)
  })

  it('refuses to delete the fallback, to publish an unchanged draft, and unknown ids', async () => {
    const fallback = policy('Standard')
    expectError(await call('DELETE', `/sla/policies/${fallback.id}`), 409, 'sla_policy_fallback', {
      policy_id: fallback.id,
    })
    expectError(await call('POST', `/sla/policies/${fallback.id}/publish`), 409, 'sla_policy_unchanged', {
      policy_id: fallback.id,
      version: 2,
    })
    const none = '0193aaaa-0000-7000-8000-000000000002'
    expectError(await call('GET', `/sla/policies/${none}`), 404, 'sla_policy_not_found', { policy_id: none })
    expectError(await call('GET', `/sla/policies/${fallback.id}/versions/9`), 404, 'sla_policy_version_not_found', {
      policy_id: fallback.id,
      version: 9,
    })
    expectError(await call('POST', '/sla/policies/preview', { case_id: none }), 404, 'case_not_found', {
      case_id: none,
    })
    expectError(await call('GET', `/cases/${none}/sla`), 404, 'case_not_found', { case_id: none })
    expect((await call('POST', '/sla/policies/preview', { case_id: 'nope' })).statusCode).toBe(400)
    expectError(await call('PUT', `/sla/policies/${fallback.id}`, { name: 'Urgent' }), 409, 'sla_policy_name_taken', {
      name: 'Urgent',
    })
    // The service's refusals name paths as the schema's do: below body/ (body/draft/ for a draft).
    const nobody = '0193aaaa-0000-7000-8000-000000000003'
    const draft = {
      ...base,
      conditions: [{ field: 'channel', op: 'in', values: ['email'] }],
      targets: [
        {
          target: 'resolution',
          minutes: 5,
          calendar_id: null,
          steps: [
            {
              percent: 50,
              actions: [
                { type: 'notify', to: 'user', user_id: nobody },
                { type: 'reassign', strategy: 'least_loaded', team_id: nobody },
              ],
            },
          ],
        },
      ],
    }
    expectError(await call('PUT', `/sla/policies/${fallback.id}`, { draft }), 422, 'sla_policy_invalid', {
      errors: [
        { path: 'body/draft/conditions', message: 'the fallback applies to every case: it has no conditions' },
        { path: 'body/draft/targets/0/steps/0/actions/1/team_id', message: `no team ${nobody}` },
        { path: 'body/draft/targets/0/steps/0/actions/0/user_id', message: `no user ${nobody}` },
      ],
    })
    const schema = await call('PUT', `/sla/policies/${fallback.id}`, {
      draft: { ...draft, conditions: [], targets: [{ ...draft.targets[0], minutes: 0, steps: [] }] },
    })
    expectError(schema, 400, 'validation_failed', {
      errors: [{ path: 'body/draft/targets/0/minutes', message: 'must be >= 1' }],
    })
  })

  it('refuses to publish a draft whose team has gone since, naming the path in the draft', async () => {
    const gone = await db
      .transaction()
      .execute((trx) => createTeam(trx, ctx, { name: 'Short-lived', memberIds: [] }, new Date()))
    const p = policy('Urgent')
    const live = (await call('GET', `/sla/policies/${p.id}`)).json().live
    const step = { percent: 50, actions: [{ type: 'reassign', strategy: 'team_only', team_id: gone.id }] }
    const draft = { ...live, targets: [{ ...live.targets[0], steps: [step] }, ...live.targets.slice(1)] }
    expect((await call('PUT', `/sla/policies/${p.id}`, { draft })).statusCode).toBe(200)
    expect((await call('DELETE', `/teams/${gone.id}`)).statusCode).toBe(204)
    expectError(await call('POST', `/sla/policies/${p.id}/publish`), 422, 'sla_policy_invalid', {
      errors: [{ path: 'draft/targets/0/steps/0/actions/0/team_id', message: `no team ${gone.id}` }],
    })
  })

  it('refuses bad targets, settings, report queries and list filters', async () => {
    const id = await open({})
    expectError(
      await call('PUT', `/cases/${id}/sla/targets/evidence`, { minutes: 60, business: false }),
      404,
      'sla_target_not_found',
      { target: 'evidence' },
    )
    expect((await call('PUT', `/cases/${id}/sla/targets/resolution`, { minutes: 0, business: false })).statusCode).toBe(
      400,
    )
    expect((await call('PUT', '/sla/settings', { pause_statuses: ['resolved'] })).statusCode).toBe(400)
    expect((await call('PUT', '/sla/settings', { pause_statuses: ['on_hold'] })).json()).toEqual({
      pause_statuses: ['on_hold'],
    })
    expect((await call('GET', '/sla/reports/attainment?group_by=planet')).statusCode).toBe(400)
    expect((await call('GET', '/cases?sla_state=late')).statusCode).toBe(400)
    expect((await call('GET', '/cases?sla_due_before=tomorrow')).statusCode).toBe(400)
    expect((await call('POST', `/cases/${id}/sla/apply`, {}, 'viewer')).statusCode).toBe(403)
    const valid = { name: 'y', ...base, targets: [{ target: 'resolution', minutes: 5, calendar_id: null }] }
    expect((await call('POST', '/sla/policies', valid, 'agent')).statusCode).toBe(403)
  })
})
