import { consumer, type Module } from '../modules.js'
import { csatEvents } from './events.js'
import { csatRoutes } from './routes.js'
import { armSurvey, fireSurvey, redactCommentsOfErasedCustomers, surveyTask } from './service.js'

/** CSAT / NPS after resolution: one survey per resolution, its answer on the case, the stats. */
export const csat: Module = {
  name: 'csat',
  events: csatEvents,
  routes: csatRoutes,
  timeline: ['csat_answered'],
  // A customer's erasure reaches their comments (service/redact-comments.ts).
  consumers: [
    redactCommentsOfErasedCustomers,
    consumer({
      name: 'csat:resolved',
      types: ['case.resolved'],
      // Duplicates are handled with the customer's other case: that one asks.
      accepts: (e) => e.data.resolution_code !== 'duplicate',
      handle: async (event, ctx) => {
        await ctx.db
          .transaction()
          .execute((trx) =>
            armSurvey(trx, event.merchant_id, event.data.case_id, new Date(event.occurred_at), new Date()),
          )
      },
    }),
  ],
  clockTasks: {
    [surveyTask]: async (trx, action, ctx, now) => {
      await fireSurvey(trx, action, ctx, now)
    },
  },
}
