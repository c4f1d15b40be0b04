import { DateTime } from 'luxon'
import { describe, expect, it } from 'vitest'
import { ukBankHolidays } from './defaults.js'

// England and Wales bank holidays derived from their rules (the Banking and Financial Dealings Act 1971 and the
// yearly proclamations), independently of the list: Easter by the anonymous Gregorian computus.
function easterSunday(year: number): DateTime {
  const a = year % 19
  const b = Math.floor(year / 100)
  const c = year % 100
  const d = Math.floor(b / 4)
  const e = b % 4
  const f = Math.floor((b + 8) / 25)
  const g = Math.floor((b - f + 1) / 3)
  const h = (19 * a + b - d - g + 15) % 30
  const i = Math.floor(c / 4)
  const k = c % 4
  const l = (32 + 2 * e + 2 * i - h - k) % 7
  const m = Math.floor((a + 11 * h + 22 * l) / 451)
  const month = Math.floor((h + l - 7 * m + 114) / 31)
  const day = ((h + l - 7 * m + 114) % 31) + 1
  return DateTime.utc(year, month, day)
}

const monday = 1
const firstMonday = (year: number, month: number) => {
  const first = DateTime.utc(year, month, 1)
  return first.plus({ days: (monday - first.weekday + 7) % 7 })
}
const lastMonday = (year: number, month: number) => {
  const last = DateTime.utc(year, month, 1).endOf('month').startOf('day')
  return last.minus({ days: (last.weekday - monday + 7) % 7 })
}
const weekend = (d: DateTime) => d.weekday >= 6

/** A day on a weekend moves to the next weekday not already a holiday. */
function withSubstitutes(days: DateTime[]): DateTime[] {
  const taken = new Set<string>()
  return days.map((d) => {
    let day = d
    while (weekend(day) || taken.has(day.toISODate()!)) day = day.plus({ days: 1 })
    taken.add(day.toISODate()!)
    return day
  })
}

function englandAndWales(year: number): string[] {
  const easter = easterSunday(year)
  return [
    ...withSubstitutes([DateTime.utc(year, 1, 1)]),
    easter.minus({ days: 2 }),
    easter.plus({ days: 1 }),
    firstMonday(year, 5),
    lastMonday(year, 5),
    lastMonday(year, 8),
    ...withSubstitutes([DateTime.utc(year, 12, 25), DateTime.utc(year, 12, 26)]),
  ].map((d) => d.toISODate()!)
}

describe('UK bank holidays of the default calendar', () => {
  it('are the England and Wales bank holidays of 2025, 2026 and 2027, substitute days included', () => {
    const listed = ukBankHolidays.map((h) => h.date)
    expect(listed).toEqual([2025, 2026, 2027].flatMap(englandAndWales))
    for (const h of ukBankHolidays) {
      expect(h.yearly, h.date).toBe(false)
      expect(weekend(DateTime.fromISO(h.date, { zone: 'utc' })), h.date).toBe(false)
    }
  })

  it('match the dates gov.uk publishes, the moveable and substitute ones in particular', () => {
    const named = new Map(ukBankHolidays.map((h) => [h.date, h.name]))
    expect(named.get('2025-04-18')).toBe('Good Friday')
    expect(named.get('2025-04-21')).toBe('Easter Monday')
    expect(named.get('2026-04-03')).toBe('Good Friday')
    expect(named.get('2026-04-06')).toBe('Easter Monday')
    expect(named.get('2026-12-28')).toBe('Boxing Day (substitute day)')
    expect(named.get('2027-03-26')).toBe('Good Friday')
    expect(named.get('2027-03-29')).toBe('Easter Monday')
    expect(named.get('2027-12-27')).toBe('Christmas Day (substitute day)')
    expect(named.get('2027-12-28')).toBe('Boxing Day (substitute day)')
    expect(named.has('2026-12-26')).toBe(false)
  })
})
