import { Type } from 'typebox'
import { Timestamp, Uuid } from '../../http/schemas.js'

const Clock = Type.String({ pattern: '^\\d{2}:\\d{2}$', description: "Wall-clock 'HH:mm' in the calendar's zone" })

export const WeeklyHoursSchema = Type.Object(
  {
    day: Type.Integer({ minimum: 1, maximum: 7, description: 'ISO weekday: 1 = Monday … 7 = Sunday' }),
    start: Clock,
    end: Type.String({ pattern: '^\\d{2}:\\d{2}$', description: "'HH:mm', after start; '24:00' is midnight" }),
  },
  { additionalProperties: false },
)

export const HolidaySchema = Type.Object(
  {
    date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (local date)' }),
    yearly: Type.Boolean({ default: false, description: 'Repeats on this month and day every year' }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
  },
  { additionalProperties: false },
)

export const CalendarView = Type.Object({
  id: Uuid,
  name: Type.String(),
  time_zone: Type.String({ description: 'IANA time zone, e.g. Europe/London' }),
  always: Type.Boolean({ description: 'Open 24/7 (holidays still close it); weekly is then ignored' }),
  weekly: Type.Array(WeeklyHoursSchema),
  holidays: Type.Array(HolidaySchema),
  created_at: Timestamp,
  updated_at: Timestamp,
})

export const CalendarParams = Type.Object({ id: Uuid })

export const CalendarBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    time_zone: Type.String({ minLength: 1, maxLength: 64 }),
    always: Type.Optional(Type.Boolean({ default: false })),
    weekly: Type.Optional(
      Type.Array(WeeklyHoursSchema, { maxItems: 100, description: 'Several entries a day are split shifts' }),
    ),
    holidays: Type.Optional(Type.Array(HolidaySchema, { maxItems: 2000 })),
  },
  { additionalProperties: false },
)

export const HolidayImportQuery = Type.Object(
  { replace: Type.Optional(Type.Boolean({ description: "Replace the calendar's holidays rather than add to them" })) },
  { additionalProperties: false },
)

export const HolidayImportView = Type.Object({
  calendar: CalendarView,
  imported: Type.Integer({ description: 'Holidays added (those the calendar had already are not counted)' }),
  skipped: Type.Array(Type.Object({ summary: Type.String(), reason: Type.String() }), {
    description: 'Events that are not holidays (timed, or longer than a month)',
  }),
})
