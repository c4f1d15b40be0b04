import { AppError } from '../errors.js'
import type { CaseStatus } from './tables.js'

const working: CaseStatus[] = ['open', 'waiting_customer', 'waiting_carrier', 'on_hold']

/**
 * The one state machine. A case is `new` until someone (or an automation) first acts on it and never
 * returns there; resolving needs a resolution code (checked by the caller); `resolved` and `closed`
 * reopen to `open` (a closed case past the reopen window gets a follow-up instead, see reopenCase).
 */
export const transitions: Record<CaseStatus, readonly CaseStatus[]> = {
  new: [...working, 'resolved'],
  open: ['waiting_customer', 'waiting_carrier', 'on_hold', 'resolved'],
  waiting_customer: ['open', 'waiting_carrier', 'on_hold', 'resolved'],
  waiting_carrier: ['open', 'waiting_customer', 'on_hold', 'resolved'],
  on_hold: ['open', 'waiting_customer', 'waiting_carrier', 'resolved'],
  resolved: ['open', 'closed'],
  closed: ['open'],
}

export const isResolved = (s: CaseStatus) => s === 'resolved' || s === 'closed'

/** Work on a resolved or closed case (assigning, escalating) waits until it is reopened. */
export function assertUnresolved(row: { id: string; status: CaseStatus }, refusal: string): void {
  if (isResolved(row.status))
    throw new AppError('case_transition_invalid', `A ${row.status} case ${refusal}`, {
      case_id: row.id,
      status: row.status,
      allowed: ['open'],
    })
}

export function assertTransition(caseId: string, from: CaseStatus, to: CaseStatus): void {
  if (!transitions[from].includes(to)) {
    throw new AppError('case_transition_invalid', `A ${from} case cannot become ${to}`, {
      case_id: caseId,
      status: from,
      requested: to,
      allowed: transitions[from],
    })
  }
}
