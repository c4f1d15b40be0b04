import { describe, expect, it } from 'vitest'
import { startServiceTest } from '../../../test/harness.js'
import { pendingJobs, runDueJobs } from '../../../test/jobs.js'
import { systemContext } from '../../auth/actor.js'
import { addNote, escalateCase, openCase } from '../../cases/service.js'
import { outboxRelay } from '../../jobs/outbox.js'
import { modules } from '../../registry.js'
import { createPolicy } from '../policies/service.js'
import { listCaseClocks, reconcileCase, recordReply } from './service.js'

// The SLA's work that changes nothing is not done: no delivery for events no policy waits on, no case-row write for a
// status the clocks already follow, no armed step left to fire on a met clock. In 2036: nothing here falls due by the
// real clock while jobs run.
const { env, m, ctx, tx } = await startServiceTest()
const { db } = env.ctx
const sla = systemContext(m.id, 'sla')
const T0 = new Date('2036-03-03T09:00:00Z')
const later = (hours: number) => new Date(T0.getTime() + hours * 3_600_000)
const consumers = modules.flatMap((x) => x.consumers ?? [])

const open = async (caseType: string, subject: string, at: Date) => {
  const c = await tx((trx) => openCase(trx, ctx, { caseType, subject, priority: 'normal' }, at))
  await runDueJobs(env.ctx, modules) // the SLA applied by its consumer
  return c.id
}
/** Relays every unpublished event and gives the ids of the events queued for delivery to this consumer. */
async function relayedTo(consumer: string): Promise<unknown[]> {
  const relay = outboxRelay(consumers)
  while ((await relay.run(env.ctx, 200)) > 0);
  return (await pendingJobs(env.ctx))
    .filter((j) => j.task_identifier === 'outbox:deliver' && j.payload.consumer === consumer)
    .map((j) => j.payload.event_id)
}

describe('SLA work that changes nothing', () => {
  it('queues no milestone delivery while no policy names one, then only for the event type a policy names, which meets it', async () => {
    const before = await open('lost_parcel', 'No milestone yet', T0)
    await tx((trx) => escalateCase(trx, ctx, before, { reason: 'customer_chasing' }, later(1)))
    expect(await relayedTo('sla:milestones')).toEqual([])
    await runDueJobs(env.ctx, modules)

    await tx((trx) =>
      createPolicy(
        trx,
        ctx,
        {
          name: 'Escalated within 4 hours',
          position: 1,
          definition: {
            tier: 'high',
            conditions: [{ field: 'case_type', op: 'in', values: ['lost_parcel'] }],
            targets: [
              { target: 'resolution', minutes: 2880, calendar_id: null, steps: [] },
              { target: 'escalated', minutes: 240, calendar_id: null, milestone_event: 'case.escalated', steps: [] },
            ],
            alert_calendar_id: null,
          },
        },
        later(2),
      ),
    )
    const c = await open('lost_parcel', 'With a milestone', later(2))
    await tx((trx) => addNote(trx, ctx, c, { body: 'Asked the carrier' }, later(3)))
    await tx((trx) => escalateCase(trx, ctx, c, { reason: 'customer_chasing' }, later(3)))
    const escalated = await db
      .selectFrom('outbox')
      .select('id')
      .where('merchant_id', '=', m.id)
      .where('subject_id', '=', c)
      .where('type', '=', 'case.escalated')
      .executeTakeFirstOrThrow()
    expect(await relayedTo('sla:milestones')).toEqual([escalated.id])
    await runDueJobs(env.ctx, modules)
    expect((await listCaseClocks(db, m.id, c)).find((x) => x.target === 'escalated')).toMatchObject({
      state: 'met',
      met_at: later(3),
    })
  })

  it('writes no case row, audit entry or event for a status the clocks already follow', async () => {
    const c = await open('late_delivery', 'Heard twice', T0)
    const trail = async () => ({
      row: await db
        .selectFrom('cases')
        .select(['updated_at', 'sla_state', 'sla_next_due_at', 'sla_tier'])
        .where('merchant_id', '=', m.id)
        .where('id', '=', c)
        .executeTakeFirstOrThrow(),
      audit: await db.selectFrom('audit_entries').select('id').where('entity_id', '=', c).execute(),
      events: await db.selectFrom('outbox').select('id').where('subject_id', '=', c).execute(),
    })
    const before = await trail()
    expect(before.row.sla_state).toBe('active')
    await tx((trx) => reconcileCase(trx, sla, c, T0, later(5)))
    expect(await trail()).toEqual(before)
  })

  it('takes back every unfired step of a clock met late, those already past too: a met clock fires none', async () => {
    const c = await open('late_delivery', 'Answered late', T0)
    const pending = async (target: string) =>
      (
        await db
          .selectFrom('scheduled_actions')
          .select('key')
          .where('merchant_id', '=', m.id)
          .where('key', 'like', `sla:${c}:${target}:%`)
          .where('state', '=', 'scheduled')
          .execute()
      ).length
    expect(await pending('first_response')).toBeGreaterThan(0)
    // Nobody fired the steps at their time (a history replayed, a runner long down): answered three days on.
    await tx((trx) => recordReply(trx, sla, c, later(72), later(72)))
    expect(await pending('first_response')).toBe(0)
    expect(await pending('resolution')).toBeGreaterThan(0)
  })
})
