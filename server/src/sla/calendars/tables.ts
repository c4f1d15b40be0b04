import type { ColumnType } from 'kysely'
import type { Holiday, WeeklyHours } from '../calendar.js'

type Instant = ColumnType<Date, Date, Date>
/** jsonb: read as parsed JSON, written as its text. */
type Json<T> = ColumnType<T, string, string>

export interface SlaCalendarTables {
  sla_calendars: {
    merchant_id: string
    id: string
    name: string
    time_zone: string
    always: boolean
    weekly: Json<WeeklyHours[]>
    holidays: Json<Holiday[]>
    created_at: Instant
    updated_at: Instant
  }
}
