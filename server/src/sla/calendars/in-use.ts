import type { Db } from '../../db/owned.js'

/**
 * The policies that use a calendar (a calendar in use cannot be deleted: 409 sla_calendar_in_use with these ids).
 * The policies' module fills this in; until then no calendar is in use.
 */
export async function calendarInUse(_db: Db, _merchantId: string, _calendarId: string): Promise<string[]> {
  return []
}
