import { systemContext } from '../auth/actor.js'
import { consumer, type Module } from '../modules.js'
import { calendarRoutes } from './calendars/routes.js'
import { fireAlert, fireStep } from './clocks/fire.js'
import { alertTask, stepTask } from './clocks/plan.js'
import {
  milestoneEvents,
  reconcileCase,
  recordCustomerMessage,
  recordMilestone,
  recordReply,
} from './clocks/service.js'
import { slaEvents } from './events.js'
import { slaRoutes } from './routes.js'

const ctxFor = (merchantId: string) => systemContext(merchantId, 'sla')

// Events that never meet a custom milestone: the SLA module's own, notifications, and case.updated (status changes
// are reconciled through their own consumer).
const notMilestones = /^(sla\.|notification\.|case\.updated$|case\.opened$|message\.)/

/** SLAs: policies and their targets on cases, business-hours calendars, escalation steps. */
export const sla: Module = {
  name: 'sla',
  events: slaEvents,
  routes: async (app) => {
    await app.register(calendarRoutes)
    await app.register(slaRoutes)
  },
  timeline: ['sla_applied', 'sla_met', 'sla_breached', 'sla_step', 'sla_remedy', 'sla_target_set'],
  // The SLA's own words: the list's SLA filters find these cases, search need not.
  unsearchedTimeline: ['sla_applied', 'sla_met', 'sla_breached', 'sla_step', 'sla_target_set'],
  consumers: [
    consumer({
      // The case's clocks follow the case: applied when it opens, paused, resumed, met at resolve, reopened.
      name: 'sla:case-status',
      types: ['case.opened', 'case.updated', 'case.resolved', 'case.closed', 'case.reopened'],
      accepts: (e) => e.type !== 'case.updated' || e.data.changes.includes('status'),
      handle: async (event, ctx) => {
        const at = new Date(event.occurred_at)
        await ctx.db
          .transaction()
          .execute((trx) => reconcileCase(trx, ctxFor(event.merchant_id), event.data.case_id, at, new Date()))
      },
    }),
    consumer({
      name: 'sla:replies',
      types: ['message.sent'],
      // A public reply by a person meets the response targets; acknowledgements and side conversations do not.
      accepts: (e) => e.data.public && !e.data.automatic,
      handle: async (event, ctx) => {
        const at = new Date(event.occurred_at)
        await ctx.db
          .transaction()
          .execute((trx) => recordReply(trx, ctxFor(event.merchant_id), event.data.case_id, at, new Date()))
      },
    }),
    consumer({
      name: 'sla:customer-messages',
      types: ['message.received'],
      // The message that opened the case waits on the first response; auto-replies wait on nothing.
      accepts: (e) => e.data.visibility === 'public' && !e.data.new_case && !e.data.robot,
      handle: async (event, ctx) => {
        const at = new Date(event.occurred_at)
        await ctx.db
          .transaction()
          .execute((trx) =>
            recordCustomerMessage(trx, ctxFor(event.merchant_id), event.data.case_id, event.id, at, new Date()),
          )
      },
    }),
    consumer({
      name: 'sla:milestones',
      types: '*',
      accepts: (e) => !notMilestones.test(e.type) && typeof (e.data as { case_id?: unknown }).case_id === 'string',
      // Only the types some policy version names as a milestone: most workspaces have none, and a delivery for every
      // event of every case would be a job and a transaction each.
      narrow: milestoneEvents,
      handle: async (event, ctx) => {
        const caseId = (event.data as { case_id?: string }).case_id
        if (!caseId) return
        await ctx.db
          .transaction()
          .execute((trx) =>
            recordMilestone(
              trx,
              ctxFor(event.merchant_id),
              caseId,
              event.type,
              new Date(event.occurred_at),
              new Date(),
            ),
          )
      },
    }),
  ],
  clockTasks: {
    [stepTask]: (trx, action, _ctx, now) => fireStep(trx, action, now),
    [alertTask]: (trx, action, _ctx, now) => fireAlert(trx, action, now),
  },
}
