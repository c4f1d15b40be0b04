import { consumer, type Module } from '../modules.js'
import { listMerchantIds } from '../merchants/service.js'
import { checkConnections } from '../intake/health.js'
import { carrierEvents } from './events.js'
import { carrierProviderList } from './providers/index.js'
import { carrierRoutes } from './routes.js'
import { announceOverdue, linkShipmentToTrackers } from './service.js'
import { webhookProvider } from './webhook-provider.js'

/** Carrier signals in: verified webhooks normalised into one tracking model, shipment status, gaps made visible. */
export const carriers: Module = {
  name: 'carriers',
  routes: carrierRoutes,
  tasks: {
    'carriers:overdue': async (_payload, ctx) => {
      await announceOverdue(ctx.db, await listMerchantIds(ctx.db), new Date())
    },
    'carriers:health': async (_payload, ctx) => checkConnections(ctx, new Date()),
  },
  events: carrierEvents,
  consumers: [
    consumer({
      // Events that arrived before their shipment (or its tracking number) are linked when it does.
      name: 'carriers:link-shipment',
      types: ['shipment.created', 'shipment.updated'],
      handle: async (event, ctx) => {
        const { carrier_code, tracking_number } = event.data
        if (!event.subject_id || !tracking_number) return
        await ctx.db
          .transaction()
          .execute((trx) =>
            linkShipmentToTrackers(
              trx,
              event.merchant_id,
              { id: event.subject_id!, carrier_code, tracking_number },
              new Date(),
            ),
          )
      },
    }),
  ],
  cron: ['*/5 * * * * carriers:overdue', '*/5 * * * * carriers:health'],
  providers: carrierProviderList.map(webhookProvider),
}
