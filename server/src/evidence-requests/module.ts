import type { Module } from '../modules.js'
import { evidenceRequestEvents } from './events.js'
import { evidenceRequestRoutes } from './routes.js'
import { markRequestOverdue, overdueTask, reminderTask, remindRequest } from './service.js'

/** Evidence requests (the customer's upload link, sent with a template, on the clock), required evidence, packs. */
export const evidenceRequests: Module = {
  name: 'evidence-requests',
  events: evidenceRequestEvents,
  routes: evidenceRequestRoutes,
  timeline: [
    'evidence_requested',
    'evidence_received',
    'evidence_request_completed',
    'evidence_request_reminded',
    'evidence_request_overdue',
    'evidence_request_cancelled',
  ],
  unsearchedTimeline: ['evidence_request_reminded', 'evidence_request_overdue'],
  clockTasks: {
    [reminderTask]: (trx, action, ctx, now) => remindRequest(trx, action, ctx, now),
    [overdueTask]: (trx, action, _ctx, now) => markRequestOverdue(trx, action, now),
  },
}
