import { systemContext } from '../auth/actor.js'
import { consumer, type Module } from '../modules.js'
import { caseEvents } from './events.js'
import { caseApi } from './routes/index.js'
import { caseTimelineTypes } from './timeline-types.js'
import {
  closeDueCases,
  customerChangeReachesLinks,
  fireLostCheck,
  fireWatch,
  lostTask,
  onShipmentOverdue,
  onShipmentStatusChanged,
  onTrackingEventRecorded,
  purgeStalePresence,
  refreshCustomerLinks,
  routeNewCase,
  scanReachesCases,
  useTimelineTypes,
  watchTask,
} from './service.js'

/** Cases: the one record per problem, its timeline, and the exception policy that opens cases from carrier signals. */
export const cases: Module = {
  name: 'cases',
  routes: caseApi,
  events: caseEvents,
  consumers: [
    consumer({
      name: 'cases:exception-policy',
      types: ['shipment.status_changed', 'shipment.late', 'shipment.stale'],
      handle: async (event, ctx) => {
        await ctx.db
          .transaction()
          .execute((trx) =>
            event.type === 'shipment.status_changed'
              ? onShipmentStatusChanged(trx, event, new Date())
              : onShipmentOverdue(trx, event, new Date()),
          )
      },
    }),
    consumer({
      name: 'cases:carrier-scans',
      types: ['tracking_event.recorded'],
      // Most scans are of parcels no case is about, or moved the status (shipment.status_changed says so): no job for those.
      accepts: scanReachesCases,
      handle: async (event, ctx) => {
        await ctx.db.transaction().execute((trx) => onTrackingEventRecorded(trx, event, new Date()))
      },
    }),
    consumer({
      // Cases are found by their customer's name and email, and an erased customer's must leave them.
      name: 'cases:customer-links',
      types: ['customer.updated', 'customer.merged', 'customer.redacted'],
      accepts: customerChangeReachesLinks,
      handle: async (event, ctx) => {
        const customerId = event.subject_id
        if (customerId)
          await ctx.db.transaction().execute((trx) => refreshCustomerLinks(trx, event.merchant_id, customerId))
      },
    }),
    consumer({
      // Routing settings assign a new case nobody has taken yet (the rules engine will call the same function).
      name: 'cases:routing',
      types: ['case.opened'],
      handle: async (event, ctx) => {
        await ctx.db
          .transaction()
          .execute((trx) =>
            routeNewCase(trx, systemContext(event.merchant_id, 'routing'), event.data.case_id, new Date()),
          )
      },
    }),
  ],
  clockTasks: {
    [watchTask]: (trx, action, _ctx, now) => fireWatch(trx, action.merchantId, action.payload, now),
    [lostTask]: (trx, action, _ctx, now) => fireLostCheck(trx, action.merchantId, action.payload, now),
  },
  drains: [
    { name: 'cases:auto-close', batchSize: 100, intervalMs: 60_000, run: (ctx, limit) => closeDueCases(ctx, limit) },
    {
      name: 'cases:presence-purge',
      batchSize: 1000,
      intervalMs: 300_000,
      run: (ctx) => purgeStalePresence(ctx.db, new Date()),
    },
  ],
  timeline: caseTimelineTypes,
  setup: (modules) =>
    useTimelineTypes(
      modules.flatMap((m) => m.timeline ?? []),
      modules.flatMap((m) => m.unsearchedTimeline ?? []),
    ),
}
