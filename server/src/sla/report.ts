import type { Db } from '../db/owned.js'
import * as store from './store.js'

export type AttainmentGroup = 'carrier' | 'fulfilment_centre' | 'case_type' | 'team' | 'week'

/** Met, breached and running clocks per group and target, of the clocks started in [from, to). */
export async function attainmentReport(
  db: Db,
  merchantId: string,
  groupBy: AttainmentGroup,
  range: { from?: Date; to?: Date },
) {
  const rows = await store.countAttainment(db, merchantId, groupBy, range)
  return {
    group_by: groupBy,
    rows: rows.map((r) => {
      const met = Number(r.met)
      const breached = Number(r.breached)
      const done = met + breached
      return {
        group: r.grp,
        target: r.target,
        met,
        breached,
        active: Number(r.active),
        breach_rate: done ? Math.round((breached / done) * 10_000) / 10_000 : null,
      }
    }),
  }
}
