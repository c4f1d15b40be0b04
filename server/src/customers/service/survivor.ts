import type { Db, Trx } from '../../db/owned.js'
import * as store from '../store.js'

// A merged customer record answers for the customer it was merged into. Merging repoints records merged into the
// duplicate, so chains stay one long; five merges is the bound should one ever grow.
const maxHops = 5

async function follow(read: (id: string) => Promise<store.CustomerRow | undefined>, id: string) {
  let row = await read(id)
  for (let hops = 0; row?.merged_into_id && hops < maxHops; hops++) row = await read(row.merged_into_id)
  return row
}

/** The customer row a record stands for: itself, or the one it was merged into; undefined when there is none. */
export const findSurvivorRow = (db: Db, merchantId: string, id: string) =>
  follow((x) => store.findCustomer(db, merchantId, x), id)

/** The same, each record on the way locked until commit. */
export const lockSurvivorRow = (trx: Trx, merchantId: string, id: string) =>
  follow((x) => store.lockCustomer(trx, merchantId, x), id)
