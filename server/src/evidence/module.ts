import type { Module } from '../modules.js'
import { evidenceEvents } from './events.js'
import { evidenceRoutes } from './routes.js'

/** Evidence on cases (issue 24): typed files judged by their bytes, on the case's timeline and in the audit trail. */
export const evidence: Module = {
  name: 'evidence',
  events: evidenceEvents,
  routes: evidenceRoutes,
  timeline: ['evidence_added', 'evidence_classified', 'evidence_deleted'],
}
