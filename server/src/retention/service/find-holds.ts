import { caseRetentionFacts, listCaseIdsOfCustomer } from '../../cases/service.js'
import { customerIdentity } from '../../customers/service.js'
import type { Db } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { isUuid } from '../../ids.js'
import * as store from '../store.js'

// Whether a legal hold keeps a case or a customer: what purges, erasure and the file store ask.

const unlessMissing = <T>(p: Promise<T>): Promise<T | undefined> =>
  p.catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'customer_not_found') return undefined
    throw err
  })

export type HoldTarget = { caseId?: string; customerId?: string }

/**
 * The active holds that keep a case or a customer: on a case, its own and its customer's; on a customer, theirs
 * (any record merged into them included) and those on any of their cases.
 */
export async function findHolds(db: Db, merchantId: string, target: HoldTarget): Promise<store.HoldRow[]> {
  const caseIds: string[] = []
  const customerIds: string[] = []
  if (target.caseId && isUuid(target.caseId)) {
    caseIds.push(target.caseId)
    const facts = (await caseRetentionFacts(db, merchantId, [target.caseId])).get(target.caseId)
    if (facts?.customerId) customerIds.push(facts.customerId)
  }
  if (target.customerId && isUuid(target.customerId)) {
    const id = target.customerId
    // An unknown customer has no cases; a hold may still name the id.
    customerIds.push(...((await unlessMissing(customerIdentity(db, merchantId, id))) ?? [id]))
    caseIds.push(...((await unlessMissing(listCaseIdsOfCustomer(db, merchantId, id)))?.own ?? []))
  }
  return store.listActiveHolds(db, merchantId, { caseIds, customerIds })
}

export async function isHeld(db: Db, merchantId: string, target: HoldTarget): Promise<boolean> {
  return (await findHolds(db, merchantId, target)).length > 0
}

export async function assertNotHeld(db: Db, merchantId: string, target: HoldTarget): Promise<void> {
  const holds = await findHolds(db, merchantId, target)
  if (holds.length)
    throw new AppError('legal_hold', 'A legal hold keeps this record: release the hold first', {
      ...(target.caseId ? { case_id: target.caseId } : {}),
      ...(target.customerId ? { customer_id: target.customerId } : {}),
      hold_ids: holds.map((h) => h.id),
    })
}

/** Of these cases, those under a legal hold: on the case itself or on its customer. */
export async function heldCaseIds(db: Db, merchantId: string, caseIds: string[]): Promise<Set<string>> {
  const ids = [...new Set(caseIds.filter(isUuid))]
  if (!ids.length) return new Set()
  const facts = await caseRetentionFacts(db, merchantId, ids)
  const customerIds = [...new Set([...facts.values()].flatMap((f) => (f.customerId ? [f.customerId] : [])))]
  const holds = await store.listActiveHolds(db, merchantId, { caseIds: ids, customerIds })
  const heldCases = new Set(holds.filter((h) => h.subject_type === 'case').map((h) => h.subject_id))
  const heldCustomers = new Set(holds.filter((h) => h.subject_type === 'customer').map((h) => h.subject_id))
  return new Set(
    ids.filter((id) => {
      const customer = facts.get(id)?.customerId
      return heldCases.has(id) || (customer !== null && customer !== undefined && heldCustomers.has(customer))
    }),
  )
}
