import type { Module } from '../modules.js'
import { messageEvents } from './events.js'
import { messagingRoutes } from './routes.js'

/**
 * Customer conversations: every message in or out, on the case timeline as one `message` entry each;
 * email first (SMTP out, SMTP listener and inbound-parse webhooks in), templates, macros.
 */
export const messaging: Module = {
  name: 'messaging',
  events: messageEvents,
  timeline: ['message'],
  routes: messagingRoutes,
}
