import { getMerchant } from '../../merchants/service.js'
import type { Db } from '../store/cases.js'
import * as statsStore from '../store/stats.js'
import type { AgeBucket } from '../store/case-list.js'

export type CaseStats = {
  time_zone: string
  open_by_type: ({ case_type: string } & Record<AgeBucket, number>)[]
  new_by_day: { day: string; carrier: string | null; count: number }[]
}

/** The operations dashboard's case figures: open cases by type and age, new cases per day by carrier. */
export async function caseStats(db: Db, merchantId: string, days: number, now: Date): Promise<CaseStats> {
  const merchant = await getMerchant(db, merchantId)
  const from = new Date(now.getTime() - days * 86_400_000)
  const [open, fresh] = await Promise.all([
    statsStore.countOpenByTypeAndAge(db, merchantId, now),
    statsStore.countNewByDayAndCarrier(db, merchantId, from, merchant.time_zone),
  ])
  return {
    time_zone: merchant.time_zone,
    open_by_type: open
      .map((r) => ({ case_type: r.type_key, '0_24h': r.a, '24_72h': r.b, '72h_plus': r.c }))
      .sort((x, y) => total(y) - total(x)),
    new_by_day: fresh.map((r) => ({ day: r.day, carrier: r.carrier_code, count: r.n })),
  }
}

const total = (r: Record<AgeBucket, number>) => r['0_24h'] + r['24_72h'] + r['72h_plus']
