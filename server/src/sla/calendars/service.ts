import type { Db } from '../../db/owned.js'
import type { BusinessCalendar } from '../calendar.js'

export type StoredCalendar = BusinessCalendar & { id: string; name: string }

export async function getCalendar(_db: Db, _merchantId: string, _id: string): Promise<StoredCalendar> {
  throw new Error('not implemented yet')
}
