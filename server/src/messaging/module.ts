import type { Module } from '../modules.js'
import { sendEmailJob } from './email/send-email.js'
import { messageEvents } from './events.js'
import { messagingRoutes } from './routes.js'
import { inboundEmailProviders } from './inbound/providers.js'
import { inboundSmtpListener } from './inbound/smtp.js'
import { sendEmailTask } from './service.js'

/**
 * Customer conversations: every message in or out, on the case timeline as one `message` entry each;
 * email first (SMTP out, SMTP listener and inbound-parse webhooks in), templates, macros.
 */
export const messaging: Module = {
  name: 'messaging',
  events: messageEvents,
  timeline: ['message'],
  routes: messagingRoutes,
  // Inbound email: the providers' inbound-parse webhooks and the SMTP listener's deliveries (inbound/README.md).
  providers: inboundEmailProviders,
  background: [inboundSmtpListener],
  tasks: { [sendEmailTask]: sendEmailJob },
}
