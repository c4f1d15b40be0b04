import type { Trx } from '../db/owned.js'

// The seam to legal holds (issue 24, retention): the merger points this at retention/index.ts's assertNotHeld,
// which throws AppError 409 legal_hold for a held case or customer.
export async function assertNotHeld(
  _trx: Trx,
  _merchantId: string,
  _subject: { caseId?: string; customerId?: string },
): Promise<void> {}

export async function isHeld(
  _trx: Trx,
  _merchantId: string,
  _subject: { caseId?: string; customerId?: string },
): Promise<boolean> {
  return false
}
