// Business-hours calendars and the deadline arithmetic on them (pure: no database, no clock).

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7
/** Open hours on one weekday, 'HH:mm' wall-clock in the calendar's zone; `end` may be '24:00'. */
export type WeeklyHours = { day: Weekday; start: string; end: string }
/** A closed day: `date` 'YYYY-MM-DD'; `yearly` repeats it on the same month and day every year. */
export type Holiday = { date: string; yearly: boolean; name: string }

/**
 * Business hours in an IANA zone. Several entries on one day are split shifts. `always` is 24/7 (holidays still
 * close it).
 */
export type BusinessCalendar = { timeZone: string; always: boolean; weekly: WeeklyHours[]; holidays: Holiday[] }

/** The instant at which `minutes` business minutes have passed since `start`. */
export function addBusinessMinutes(_cal: BusinessCalendar, _start: Date, _minutes: number): Date {
  throw new Error('not implemented yet')
}

/** Business minutes in [from, to); negative when `to` is before `from`. */
export function businessMinutesBetween(_cal: BusinessCalendar, _from: Date, _to: Date): number {
  throw new Error('not implemented yet')
}

export function isBusinessTime(_cal: BusinessCalendar, _at: Date): boolean {
  throw new Error('not implemented yet')
}

/** `at` itself when it is business time, otherwise the start of the next open stretch. */
export function nextBusinessTime(_cal: BusinessCalendar, _at: Date): Date {
  throw new Error('not implemented yet')
}

/** Time as a target counts it: business time on a calendar, or (null) calendar time, every minute counting. */
export type TimeMeasure = {
  business: boolean
  addMinutes(start: Date, minutes: number): Date
  minutesBetween(from: Date, to: Date): number
  isOpen(at: Date): boolean
  nextOpen(at: Date): Date
}

export function calendarTime(_cal: BusinessCalendar | null): TimeMeasure {
  throw new Error('not implemented yet')
}
