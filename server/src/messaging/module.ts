import type { Module } from '../modules.js'
import { digestRoutes } from './digests/routes.js'
import { markDigestPending, sendDigests, sendDigestsTask } from './digests/service.js'
import { sendEmailsDrain } from './email/send-email.js'
import { messageEvents } from './events.js'
import { inboundEmailProviders } from './inbound/providers.js'
import { inboundSmtpListener } from './inbound/smtp.js'
import { macroRoutes } from './macros/routes.js'
import { phoneRoutes } from './phone/routes.js'
import { sendPhoneDrain } from './phone/send-phone.js'
import { messageBodiesPurger } from './redact/purge-bodies.js'
import { redactMessagesOfErasedCustomers } from './redact/service.js'
import { messagingRoutes } from './routes.js'
import { sideConversationRoutes } from './side/routes.js'
import { acknowledgeNewCases } from './templates/acknowledge.js'
import { templateRoutes } from './templates/routes.js'
import { twilioProvider } from './twilio/provider.js'

/**
 * Customer conversations: every message in or out, on the case timeline as one `message` entry each;
 * email (SMTP out, SMTP listener and inbound-parse webhooks in), SMS and WhatsApp through Twilio, side conversations,
 * templates, macros.
 */
export const messaging: Module = {
  name: 'messaging',
  events: messageEvents,
  // consent: a customer's STOP, START or HELP by SMS or WhatsApp (twilio/inbound.ts).
  timeline: ['message', 'consent', 'side_conversation'],
  routes: async (app) => {
    await app.register(messagingRoutes)
    await app.register(templateRoutes)
    await app.register(macroRoutes)
    await app.register(digestRoutes)
    await app.register(sideConversationRoutes)
    await app.register(phoneRoutes)
  },
  // The outbound channels (channel.ts), each draining its own: email (email/send-email.ts), SMS and WhatsApp
  // through Twilio (phone/send-phone.ts).
  drains: [sendEmailsDrain, sendPhoneDrain],
  tasks: {
    [sendDigestsTask]: async (_payload, ctx) => {
      await sendDigests(ctx, new Date())
    },
  },
  // Agent email digests of unread in-app notifications (digests/service.ts).
  cron: [`* * * * * ${sendDigestsTask}`],
  // A customer's erasure reaches their messages (redact/service.ts). A customs hold is told by email and SMS through
  // the default rule pack (rules/default-pack.ts), which merchants can edit.
  consumers: [acknowledgeNewCases, markDigestPending, redactMessagesOfErasedCustomers],
  // Inbound email: the providers' inbound-parse webhooks and the SMTP listener's deliveries (inbound/README.md);
  // Twilio's inbound SMS and WhatsApp and its status callbacks (twilio/provider.ts).
  providers: [...inboundEmailProviders, twilioProvider],
  background: [inboundSmtpListener],
  // The message_bodies retention policy (redact/purge-bodies.ts).
  purgers: [messageBodiesPurger],
}
