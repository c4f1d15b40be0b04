import type { Module } from '../modules.js'
import { caseRoutes } from './routes.js'
import { fireLostCheck, fireWatch, lostTask, onShipmentOverdue, onShipmentStatusChanged, watchTask } from './service.js'

/** Cases: the one record per problem, its timeline, and the exception policy that opens cases from carrier signals. */
export const cases: Module = {
  name: 'cases',
  routes: caseRoutes,
  consumers: [{
    name: 'cases:exception-policy',
    types: ['shipment.status_changed', 'shipment.late', 'shipment.stale'],
    handle: async (event, ctx) => {
      await ctx.db.transaction().execute((trx) => event.type === 'shipment.status_changed'
        ? onShipmentStatusChanged(trx, event, new Date())
        : onShipmentOverdue(trx, event, new Date()))
    },
  }],
  clockTasks: {
    [watchTask]: (trx, action, _ctx, now) => fireWatch(trx, action.merchantId, action.payload, now),
    [lostTask]: (trx, action, _ctx, now) => fireLostCheck(trx, action.merchantId, action.payload, now),
  },
}
