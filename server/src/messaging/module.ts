import type { Module } from '../modules.js'
import { sendEmailJob } from './email/send-email.js'
import { messageEvents } from './events.js'
import { sendEmailTask } from './service.js'

/**
 * Customer conversations: every message in or out, on the case timeline as one `message` entry each;
 * email first (SMTP out, SMTP listener and inbound-parse webhooks in), templates, macros.
 */
export const messaging: Module = {
  name: 'messaging',
  events: messageEvents,
  timeline: ['message'],
  tasks: { [sendEmailTask]: sendEmailJob },
}
