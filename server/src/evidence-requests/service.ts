import { AppError } from '../errors.js'

export { generateCommercialInvoice, generateCommercialInvoiceInTransaction } from './service/commercial-invoice.js'
export { evidencePack } from './service/pack.js'
export { emailEvidencePack } from './service/send-pack.js'
export { portalRequestView, portalTarget } from './service/portal.js'
export { markRequestOverdue, recordEvidenceReceived, remindRequest } from './service/progress.js'
export { receivePortalParts } from './service/receive.js'
export {
  assertEvidenceComplete,
  caseAction,
  checkEvidence,
  type EvidenceCheck,
  getRequirements,
  setRequirements,
} from './service/requirements.js'
export {
  cancelEvidenceRequest,
  listEvidenceRequests,
  overdueTask,
  reminderTask,
  requestEvidence,
} from './service/requests.js'

/** The deadline a request body gives: hours from now or an instant, exactly one of them. */
export function deadlineOf(body: { deadline_hours?: number; due_at?: string }, now: Date): Date {
  if ((body.deadline_hours === undefined) === (body.due_at === undefined))
    throw new AppError('evidence_request_invalid', 'Give either deadline_hours or due_at', {
      errors: [{ path: '/deadline_hours', reason: 'give either deadline_hours or due_at' }],
    })
  return body.due_at !== undefined ? new Date(body.due_at) : new Date(now.getTime() + body.deadline_hours! * 3_600_000)
}
