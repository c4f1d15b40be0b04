import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { systemContext } from '../src/auth/actor.js'
import { listNotifications, notifyUsers, openCase } from '../src/cases/service.js'
import { createTeam } from '../src/teams/service.js'
import { createUser } from '../src/users/service.js'
import { startTestApp } from './harness.js'

// The real thing: `claimdesk worker` processes on this test's database, SIGKILLed and started again while SLA steps
// of the default tiers fall due. Each step must fire once: never lost with the process, never twice after it.

const { env, m, call } = await startTestApp()
const db = env.ctx.db
const ctx = systemContext(m.id)
const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
})

type Worker = {
  child: ChildProcess
  spawnedAt: number
  readyAt: number
  exited: Promise<unknown>
  output: () => string
}

/** A worker process; ready when it says so (its job runner, drains and clock runner started). */
async function startWorker(): Promise<Worker> {
  const spawnedAt = Date.now()
  const child = spawn(process.execPath, [path.resolve('bin/claimdesk.js'), 'worker'], {
    env: {
      ...process.env,
      DATABASE_URL: env.url,
      MIGRATION_DATABASE_URL: env.adminUrl,
      CLAIMDESK_SECRET_KEY: 'sla-restart-secret-key-0123456789abcdef',
      DATA_DIR: env.ctx.config.dataDir,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const readyAt = await new Promise<number>((resolve, reject) => {
    const collect = (b: Buffer) => {
      output += b
      if (output.includes('"msg":"Claimdesk worker is running"')) resolve(Date.now())
    }
    child.stdout!.on('data', collect)
    child.stderr!.on('data', collect)
    void exited.then(() => reject(new Error(`the worker exited: ${output}`)))
  })
  return { child, spawnedAt, readyAt, exited, output: () => output }
}

async function kill(w: Worker) {
  w.child.kill('SIGKILL')
  await w.exited
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const { lead, agent, team } = await db.transaction().execute(async (trx) => {
  const person = (name: string) =>
    createUser(
      trx,
      ctx,
      {
        email: `${name}@sla-restart.example`,
        name,
        password: 'correct horse battery staple',
        roleId: m.roleIds.agent!,
      },
      new Date(),
    )
  const lead = await person('lead')
  const agent = await person('agent')
  const team = await createTeam(
    trx,
    ctx,
    { name: 'Restart desk', leadUserId: lead.id, memberIds: [agent.id] },
    new Date(),
  )
  return { lead, agent, team }
})

// The default tiers, read through the API: first response in calendar minutes, warning the assignee at 75 % and
// the team lead and the assignee at 100 %.
type Policy = { name: string; live: { tier: string; targets: Target[] } }
type Target = { target: string; minutes: number; steps: { percent?: number; actions: { to?: string }[] }[] }
const policies = (await call('GET', '/sla/policies')).json().data as Policy[]
const firstResponse = (tier: string) =>
  policies.find((p) => p.live.tier === tier)!.live.targets.find((t) => t.target === 'first_response')!
const tiers = [
  { tier: 'high', input: { value: { amount_minor: 30_000, currency: 'GBP' } } },
  { tier: 'medium', input: { priority: 'urgent' as const } },
  { tier: 'low', input: {} },
]

/** A case opened so long ago that its first response reaches `share` of its target at `dueAt`. */
async function openCaseDue(tier: (typeof tiers)[number], share: number, dueAt: number): Promise<string> {
  const minutes = firstResponse(tier.tier).minutes
  const openedAt = new Date(dueAt - minutes * share * 60_000)
  const c = await db.transaction().execute((trx) =>
    openCase(
      trx,
      ctx,
      {
        caseType: 'lost_parcel',
        subject: `Restart ${tier.tier} ${share}`,
        priority: 'normal',
        teamId: team.id,
        assigneeId: agent.id,
        ...tier.input,
      },
      openedAt,
    ),
  )
  return c.id
}

type Action = {
  key: string
  state: string
  run_at: Date
  claimed_by: string | null
  claim_until: Date | null
  fired_at: Date | null
}
/** The first-response action of a case for one step ('0': 75 %, '1': 100 %, 'breach'), every row of its key. */
const actions = (caseId: string, step: string): Promise<Action[]> =>
  db
    .selectFrom('scheduled_actions')
    .select(['key', 'state', 'run_at', 'claimed_by', 'claim_until', 'fired_at'])
    .where('merchant_id', '=', m.id)
    .where('key', 'like', `sla:${caseId}:first_response:1:%:${step}`)
    .execute()
const armed = async (caseId: string, step: string) => {
  const rows = await actions(caseId, step)
  return rows.length === 1 && rows[0]!.state === 'scheduled' ? rows[0] : undefined
}
const fired = async (caseId: string, step: string) => {
  const rows = await actions(caseId, step)
  return rows.length === 1 && rows[0]!.state === 'fired' ? rows[0] : undefined
}

const count = async (type: string, caseId: string) =>
  (await db.selectFrom('outbox').select('id').where('type', '=', type).where('subject_id', '=', caseId).execute())
    .length
const causes = async (userId: string, caseId: string) =>
  (await listNotifications(db, m.id, userId, { limit: 200 }))
    .filter((n) => n.case_id === caseId && n.cause.startsWith('sla_'))
    .map((n) => n.cause)
    .sort()
const timeline = async (caseId: string, type: string) => {
  const res = await call('GET', `/cases/${caseId}/timeline?type=${type}`)
  expect(res.statusCode, res.body).toBe(200)
  return res.json().data as { data: { step?: number; target: string } }[]
}

/** What a case shows once its 75 % step fired, and its breach too when `breached`: each exactly once. */
async function expectFiredOnce(caseId: string, breached: boolean) {
  expect(await fired(caseId, '0')).toBeTruthy()
  expect(await timeline(caseId, 'sla_step')).toHaveLength(breached ? 2 : 1)
  expect(await count('sla.step_fired', caseId)).toBe(breached ? 2 : 1)
  expect(await causes(agent.id, caseId)).toEqual(breached ? ['sla_at_risk', 'sla_breached'] : ['sla_at_risk'])
  expect(await causes(lead.id, caseId)).toEqual(breached ? ['sla_breached'] : [])
  expect(await count('sla.breached', caseId)).toBe(breached ? 1 : 0)
  expect(await timeline(caseId, 'sla_breached')).toHaveLength(breached ? 1 : 0)
  const { sla_state } = (await call('GET', `/cases/${caseId}`)).json()
  expect(sla_state).toBe(breached ? 'breached' : 'active')
  if (breached) {
    expect(await fired(caseId, '1')).toBeTruthy()
    expect(await fired(caseId, 'breach')).toBeTruthy()
  }
}

/**
 * Holds the assignee's at-risk alert about the case in a transaction of its own: a step notifying the same thing
 * waits on it, so its firing transaction stays open (the action marked fired, not committed) until it is released.
 */
async function holdAlert(caseId: string): Promise<() => Promise<void>> {
  const trx = await db.startTransaction().execute()
  await notifyUsers(
    trx,
    m.id,
    [agent.id],
    { caseId, cause: 'sla_at_risk', title: 'held', dedupKey: `${caseId}:sla_at_risk:first_response` },
    new Date(),
  )
  return () => trx.rollback().execute()
}

/** A worker has claimed the step and is firing it: its transaction holds the action's row. */
const firing = async (caseId: string, step: string) => {
  const row = await armed(caseId, step)
  if (!row?.claimed_by) return undefined
  const { rows } = await sql`select id from scheduled_actions
    where merchant_id = ${m.id} and key = ${row.key} for update skip locked`.execute(db)
  return rows.length === 0 && row
}

const figure = (label: string, ms: number) => console.log(`sla-restart: ${label}: ${ms} ms`)

// Real processes on a loaded machine: generous deadlines; the figures are printed, not asserted.
describe('SLA steps across a real restart', { timeout: 120_000 }, () => {
  const warned: string[] = []
  const breached: string[] = []
  let worker: Worker

  it('the default tiers warn the assignee at 75 % and the team lead and the assignee at 100 %', () => {
    for (const { tier } of tiers) {
      const t = firstResponse(tier)
      expect(t.steps.map((s) => [s.percent, s.actions.map((a) => a.to)])).toEqual([
        [75, ['assignee']],
        [100, ['team_lead', 'assignee']],
      ])
    }
  })

  it('fires once each the steps that fell due while no worker ran and the one a killed worker was firing', async () => {
    const first = await startWorker()
    figure('first worker spawn to ready', first.readyAt - first.spawnedAt)
    // One step the worker is killed firing, holding its claim; the others fall due once it is dead. They are far
    // enough ahead that it applies the policies and dies before it claims them (1 s ahead).
    const killedFiring = await openCaseDue(tiers[2]!, 0.75, Date.now() + 4000)
    const release = await holdAlert(killedFiring)
    const dueAt = Date.now() + 9000
    for (const tier of tiers) {
      warned.push(await openCaseDue(tier, 0.75, dueAt))
      breached.push(await openCaseDue(tier, 1, dueAt))
    }
    const due = [...warned.map((id) => [id, '0']), ...breached.flatMap((id) => [[id, '1'] as const, [id, 'breach']])]
    // The worker applied each case's policy and armed its steps; a breach case's 75 % step, long past, fired at once.
    for (const [id, step] of due) await until(`${step} armed on ${id}`, () => armed(id!, step!))
    for (const id of breached) await until(`75 % step of ${id}`, () => fired(id, '0'))
    const claimed = await until('the worker to claim and start firing a step', () => firing(killedFiring, '0'))
    for (const [id, step] of due) expect((await armed(id!, step!))?.claimed_by).toBeNull()
    expect(Date.now()).toBeLessThan(dueAt - 1000)
    await kill(first)
    const killedAt = Date.now()
    await release()

    // Its firing transaction rolled back with it: pending again, under the dead worker's claim until the lease lapses.
    const held = await until(
      'the killed transaction to roll back',
      async () => (await firing(killedFiring, '0')) === false && armed(killedFiring, '0'),
    )
    expect(held.claimed_by).toBe(claimed.claimed_by)
    expect(held.claim_until!.getTime()).toBeGreaterThan(killedAt)
    // Nobody runs while the others fall due.
    await until('the steps to fall due', async () => Date.now() > dueAt + 1000)
    for (const [id, step] of due) expect(await armed(id!, step!)).toBeTruthy()
    expect(await timeline(killedFiring, 'sla_step')).toHaveLength(0)

    worker = await startWorker()
    figure('restarted worker spawn to ready', worker.readyAt - worker.spawnedAt)
    const firedAt = await until('the steps that fell due meanwhile to fire', async () => {
      const rows = await Promise.all(due.map(([id, step]) => fired(id!, step!)))
      return rows.every(Boolean) && Math.max(...rows.map((r) => r!.fired_at!.getTime()))
    })
    figure('restarted worker readiness line to downtime backlog fired (negative: before it)', firedAt - worker.readyAt)
    figure('restarted worker spawn to downtime backlog fired', firedAt - worker.spawnedAt)
    for (const id of warned) await expectFiredOnce(id, false)
    for (const id of breached) await expectFiredOnce(id, true)

    const again = await until('the step the killed worker was firing to fire', () => fired(killedFiring, '0'))
    expect(again.fired_at!.getTime()).toBeGreaterThanOrEqual(held.claim_until!.getTime()) // not before its lease lapsed
    figure('restarted worker readiness line to the killed claim fired', again.fired_at!.getTime() - worker.readyAt)
    await expectFiredOnce(killedFiring, false)
    warned.push(killedFiring)
  })

  it('finishes the step it is firing when SIGTERM arrives, then stops and leaves every step fired once', async () => {
    const id = await openCaseDue(tiers[0]!, 0.75, Date.now() + 3000)
    const release = await holdAlert(id)
    await until('the worker to claim and start firing the step', () => firing(id, '0'))
    worker.child.kill('SIGTERM')
    await until('the worker to begin its shutdown', async () => worker.output().includes('shutting down'))
    await release()
    expect(await worker.exited).toBe(0)
    await expectFiredOnce(id, false)
    for (const c of warned) await expectFiredOnce(c, false)
    for (const c of breached) await expectFiredOnce(c, true)
  })
})
