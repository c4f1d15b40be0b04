import type { Db } from '../../db/owned.js'
import { policiesUsingCalendar } from '../store.js'

/** The policies that use a calendar (a calendar in use cannot be deleted: 409 sla_calendar_in_use with these ids). */
export async function calendarInUse(db: Db, merchantId: string, calendarId: string): Promise<string[]> {
  return policiesUsingCalendar(db, merchantId, calendarId)
}
