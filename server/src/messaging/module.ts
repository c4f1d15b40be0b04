import type { Module } from '../modules.js'
import { messageEvents } from './events.js'
import { macroRoutes } from './macros/routes.js'
import { messagingRoutes } from './routes.js'
import { acknowledgeNewCases } from './templates/acknowledge.js'
import { templateRoutes } from './templates/routes.js'

/**
 * Customer conversations: every message in or out, on the case timeline as one `message` entry each;
 * email first (SMTP out, SMTP listener and inbound-parse webhooks in), templates, macros.
 */
export const messaging: Module = {
  name: 'messaging',
  events: messageEvents,
  timeline: ['message'],
  // The conversation's routes with templates' and macros' (combined here to use both; the lead's merge decides).
  routes: async (app) => {
    await app.register(messagingRoutes)
    await app.register(templateRoutes)
    await app.register(macroRoutes)
  },
  consumers: [acknowledgeNewCases],
}
