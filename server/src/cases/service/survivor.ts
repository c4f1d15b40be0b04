import type { Transaction } from 'kysely'
import type { Database } from '../../db/schema.js'
import * as caseStore from '../store/cases.js'
import type { CaseRow, Db } from '../store/cases.js'

// A merged case is read-only and its work goes to the case it was merged into; chains of merges are followed so
// far and no further (a cycle, which merging refuses, could not loop).
const maxHops = 5

async function follow(read: (id: string) => Promise<CaseRow | undefined>, caseId: string) {
  let row = await read(caseId)
  for (let hops = 0; row?.merged_into_id && hops < maxHops; hops++) row = await read(row.merged_into_id)
  return row?.id
}

/**
 * The case a case stands for now: itself, or the case it was merged into (through up to five merges); undefined when
 * there is no such case.
 */
export const survivingCaseId = (db: Db, merchantId: string, caseId: string): Promise<string | undefined> =>
  follow((id) => caseStore.findCase(db, merchantId, id), caseId)

/** The same, each case on the way locked until commit: a merge committing meanwhile is followed, not missed. */
export const lockSurvivingCaseId = (
  trx: Transaction<Database>,
  merchantId: string,
  caseId: string,
): Promise<string | undefined> => follow((id) => caseStore.lockCase(trx, merchantId, id), caseId)
