import { integrationRoutes } from '../integrations/routes.js'
import type { Module } from '../modules.js'
import { replayWebhooksCli } from './cli.js'
import './providers/generic.js'
import { deliveryRoutes } from './routes.js'
import { processTask } from './service.js'
import { processDeliveryTask, waitingDeliveriesDrain } from './tasks.js'
import { webhookRoutes } from './webhook-routes.js'

// Renamed from inbox/ (clashed with the console's case Inbox); persisted and public names still say "inbox".
/** Connections and their secrets (integrations/), and the webhook inbox that verifies against them. */
export const inboxModules: Module[] = [
  { name: 'integrations', routes: integrationRoutes },
  {
    name: 'inbox',
    routes: deliveryRoutes,
    rootRoutes: webhookRoutes,
    tasks: { [processTask]: processDeliveryTask },
    drains: [waitingDeliveriesDrain],
    cli: replayWebhooksCli,
  },
]
