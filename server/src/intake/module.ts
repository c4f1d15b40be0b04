import type { Module } from '../modules.js'
import { replayWebhooksCli } from './cli.js'
import { intakeEvents } from './events.js'
import { genericProviders } from './providers/generic.js'
import { deliveryRoutes } from './routes.js'
import { processTask } from './service.js'
import { processDeliveryTask, waitingDeliveriesDrain } from './tasks.js'
import { webhookRoutes } from './webhook-routes.js'

// Renamed from inbox/ (clashed with the console's case Inbox); persisted and public names still say "inbox".
/** The webhook inbox: verifies against integrations' connections, stores, then processes with the provider. */
export const intake: Module = {
  name: 'inbox',
  routes: deliveryRoutes,
  rootRoutes: webhookRoutes,
  tasks: { [processTask]: processDeliveryTask },
  drains: [waitingDeliveriesDrain],
  cli: replayWebhooksCli,
  providers: genericProviders,
  events: intakeEvents,
}
