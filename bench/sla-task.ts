import { sql } from 'kysely'
import { systemContext } from '../server/src/auth/actor.js'
import { recordCaseActivity } from '../server/src/cases/service.js'
import type { Db } from '../server/src/db/database.js'
import type { Module } from '../server/src/modules.js'
import { stepKey, stepTask } from '../server/src/sla/clocks/plan.js'
import { createPolicy } from '../server/src/sla/policies/service.js'
import type { ClockRow } from '../server/src/sla/store.js'

/**
 * What a due action of the SLA bench runs: a task of the clock, its payload for a case, and the module
 * that brings it when the registry does not.
 */
export type StepTask = {
  task: string
  /** The timeline entry one firing writes on its case (doubles are counted by it); none for the light step. */
  entry?: string
  key: (caseId: string) => string
  payload: (caseId: string) => Record<string, unknown>
  /** Writes what the due steps need besides their actions (the SLA step: a policy and each case's clock). */
  prepare?: (db: Db, merchantId: string, due: { caseId: string; runAt: Date }[]) => Promise<void>
  module?: Module
}

const benchKey = (caseId: string) => `sla:${caseId}:resolution:1:v1:75%`

/**
 * `--step recorded`: a bare case activity, in its transaction, a timeline entry
 * on a real case through the cases service's recordCaseActivity (with its audit entry, event and search
 * text), as an SLA step writes one.
 */
export const benchStep: StepTask = {
  task: 'bench:sla-step',
  entry: 'bench_sla_step',
  key: benchKey,
  payload: (caseId) => ({ case_id: caseId }),
  module: {
    name: 'bench-sla',
    timeline: ['bench_sla_step'],
    clockTasks: {
      'bench:sla-step': async (trx, action, _ctx, now) => {
        await recordCaseActivity(
          trx,
          systemContext(action.merchantId, 'SLA bench'),
          String(action.payload.case_id),
          {
            action: 'sla.step_fired',
            acts: false,
            timeline: [
              {
                type: 'bench_sla_step',
                data: { action_id: action.id, due_at: action.runAt.toISOString() },
                text: 'SLA step (bench): resolution at 75%',
              },
            ],
          },
          now,
        )
      },
    },
  },
}

/** `--step light`: a task that does nothing in its transaction, to measure the clock's own path apart from a step's work. */
export const lightStep: StepTask = {
  task: 'bench:sla-noop',
  key: benchKey,
  payload: (caseId) => ({ case_id: caseId }),
  module: { name: 'bench-sla-light', clockTasks: { 'bench:sla-noop': async () => undefined } },
}

// Each due case runs one clock (its id the case's): a 4-hour resolution whose 75 % step tells the assignee. The
// policy's id is known once prepare has created it.
let policyId = ''
const minutes = 240
const target = {
  target: 'resolution' as const,
  minutes,
  calendar_id: null,
  steps: [{ percent: 75, actions: [{ type: 'notify' as const, to: 'assignee' as const }] }],
}

/**
 * The SLA module's own step (`sla:step`, fireStep), as a case's 75 % escalation runs it: the clock locked and
 * checked, the step marked fired, the assignee notified, a timeline entry, an event and an audit entry on the case.
 */
export const slaStep: StepTask = {
  task: stepTask,
  entry: 'sla_step',
  key: (caseId) =>
    stepKey(
      { case_id: caseId, target: 'resolution', episode: 1, policy_id: policyId, policy_version: 1 } as ClockRow,
      '0',
    ),
  payload: (caseId) => ({ clock_id: caseId, case_id: caseId, step: '0', policy_version: 1 }),
  prepare: async (db, merchantId, due) => {
    const now = new Date()
    const policy = await db.transaction().execute((trx) =>
      createPolicy(
        trx,
        systemContext(merchantId, 'SLA bench'),
        {
          name: 'Bench: 4-hour resolution',
          position: 0,
          definition: { tier: 'high', conditions: [], targets: [target], alert_calendar_id: null },
        },
        now,
      ),
    )
    policyId = policy.id
    for (let i = 0; i < due.length; i += 50_000) {
      const part = due.slice(i, i + 50_000)
      const cases = part.map((d) => d.caseId)
      const instants = part.map((d) => d.runAt.toISOString())
      // Started so that 75 % of the target falls at the step's instant.
      await sql`insert into sla_clocks (merchant_id, id, case_id, target, episode, policy_id, policy_version, tier,
          minutes, steps, started_at, checkpoint_at, spent_minutes, due_at, state, updated_at)
        select ${merchantId}, case_id, case_id, 'resolution', 1, ${policyId}, 1, 'high', ${minutes},
          ${JSON.stringify(target.steps)}::jsonb, run_at - make_interval(mins => ${minutes * 0.75}),
          run_at - make_interval(mins => ${minutes * 0.75}), 0, run_at + make_interval(mins => ${minutes * 0.25}),
          'active', ${now}
        from unnest(${cases}::uuid[], ${instants}::timestamptz[]) as x(case_id, run_at)`.execute(db)
      await sql`update cases c set sla_tier = 'high', sla_state = 'active',
          sla_next_due_at = x.run_at + make_interval(mins => ${minutes * 0.25})
        from unnest(${cases}::uuid[], ${instants}::timestamptz[]) as x(case_id, run_at)
        where c.merchant_id = ${merchantId} and c.id = x.case_id`.execute(db)
    }
  },
}

/** The step of a run: the SLA module's, the stand-in (SLA_BENCH_STEP=recorded), or the light one (light). */
export const stepOf = (name: string | undefined): StepTask =>
  name === 'light' ? lightStep : name === 'recorded' ? benchStep : slaStep
