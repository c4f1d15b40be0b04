import { systemContext } from '../server/src/auth/actor.js'
import { recordCaseActivity } from '../server/src/cases/service.js'
import type { Module } from '../server/src/modules.js'

/**
 * What a due action of the SLA bench runs: a task of the clock, its payload for a case, and the module
 * that brings it when the registry does not.
 */
export type StepTask = { task: string; payload: (caseId: string) => Record<string, unknown>; module?: Module }

/**
 * A stand-in for an SLA escalation step until the SLA module lands: in its transaction, a timeline entry
 * on a real case through the cases service's recordCaseActivity (with its audit entry, event and search
 * text), as an SLA step writes one.
 */
export const benchStep: StepTask = {
  task: 'bench:sla-step',
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

// The task the bench's due actions run. At merge: the SLA module's step task (this one line).
export const step: StepTask = benchStep
