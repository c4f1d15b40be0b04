import type { Db } from '../../db/owned.js'
import { teamsUsingCalendar } from '../../teams/service.js'
import { policiesUsingCalendar } from '../store.js'

/** The policies and teams that use a calendar (a calendar in use cannot be deleted: 409 sla_calendar_in_use). */
export async function calendarInUse(db: Db, merchantId: string, calendarId: string) {
  return {
    policy_ids: await policiesUsingCalendar(db, merchantId, calendarId),
    team_ids: await teamsUsingCalendar(db, merchantId, calendarId),
  }
}
