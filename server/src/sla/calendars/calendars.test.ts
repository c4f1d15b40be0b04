import { describe, expect, it } from 'vitest'
import { systemContext } from '../../auth/actor.js'
import { bearer, expectError, startTestApp } from '../../../test/harness.js'
import { addBusinessMinutes } from '../calendar.js'
import { seedDemoCalendars } from './defaults.js'
import { getCalendar } from './service.js'

const { env, app, m, call, other } = await startTestApp({ other: true })

const weekdays = (start: string, end: string) => [1, 2, 3, 4, 5].map((day) => ({ day, start, end }))
const valid = (name: string) => ({ name, time_zone: 'Europe/London', weekly: weekdays('09:00', '17:30') })

async function create(body: Record<string, unknown>) {
  const res = await call('POST', '/sla/calendars', body)
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string; name: string; holidays: { date: string; yearly: boolean; name: string }[] }
}

const importIcs = (id: string, ics: string, query = '', contentType = 'text/calendar') =>
  app.inject({
    method: 'POST',
    url: `/api/v1/sla/calendars/${id}/holidays/import${query}`,
    headers: { ...bearer(m.keys.admin), 'content-type': contentType },
    payload: ics,
  })

const auditActions = async (id: string) =>
  (
    await env.ctx.db
      .selectFrom('audit_entries')
      .select('action')
      .where('entity_id', '=', id)
      .orderBy('occurred_at')
      .orderBy('id')
      .execute()
  ).map((r) => r.action)

describe('calendars', () => {
  it('creates, reads, lists, replaces and deletes a calendar, auditing each change', async () => {
    const created = await create({
      name: 'Berlin support',
      time_zone: 'Europe/Berlin',
      weekly: [
        { day: 2, start: '13:00', end: '17:00' },
        { day: 1, start: '09:00', end: '12:00' },
        { day: 2, start: '09:00', end: '12:00' },
      ],
      holidays: [{ date: '2026-12-25', yearly: true, name: 'Christmas Day' }],
    })
    expect(created).toEqual({
      id: expect.any(String),
      name: 'Berlin support',
      time_zone: 'Europe/Berlin',
      always: false,
      // Stored in week order, split shifts kept apart.
      weekly: [
        { day: 1, start: '09:00', end: '12:00' },
        { day: 2, start: '09:00', end: '12:00' },
        { day: 2, start: '13:00', end: '17:00' },
      ],
      holidays: [{ date: '2026-12-25', yearly: true, name: 'Christmas Day' }],
      created_at: expect.any(String),
      updated_at: expect.any(String),
    })
    expect((await call('GET', `/sla/calendars/${created.id}`, undefined, 'agent')).json()).toEqual(created)
    const list = await call('GET', '/sla/calendars', undefined, 'viewer')
    expect(list.json().data.map((c: { id: string }) => c.id)).toContain(created.id)

    const replaced = await call('PUT', `/sla/calendars/${created.id}`, {
      name: 'Berlin around the clock',
      time_zone: 'Europe/Berlin',
      always: true,
    })
    expect(replaced.statusCode, replaced.body).toBe(200)
    expect(replaced.json()).toMatchObject({ name: 'Berlin around the clock', always: true, weekly: [], holidays: [] })
    const stored = await getCalendar(env.ctx.db, m.id, created.id)
    expect(stored).toEqual({
      id: created.id,
      name: 'Berlin around the clock',
      timeZone: 'Europe/Berlin',
      always: true,
      weekly: [],
      holidays: [],
    })

    expect((await call('DELETE', `/sla/calendars/${created.id}`)).statusCode).toBe(204)
    expectError(await call('GET', `/sla/calendars/${created.id}`), 404, 'sla_calendar_not_found', {
      calendar_id: created.id,
    })
    expect(await auditActions(created.id)).toEqual([
      'sla_calendar.created',
      'sla_calendar.updated',
      'sla_calendar.deleted',
    ])
  })

  it('refuses a bad zone, bad and overlapping hours, bad dates and no open time, writing nothing', async () => {
    const before = (await call('GET', '/sla/calendars?limit=100')).json().data.length
    const res = await call('POST', '/sla/calendars', {
      name: 'Broken',
      time_zone: 'Europe/Atlantis',
      weekly: [
        { day: 1, start: '09:00', end: '12:00' },
        { day: 1, start: '11:00', end: '13:00' },
        { day: 2, start: '17:00', end: '09:00' },
        { day: 3, start: '24:00', end: '24:00' },
        { day: 4, start: '09:00', end: '24:30' },
      ],
      holidays: [{ date: '2026-02-30', yearly: false, name: 'No such day' }],
    })
    expectError(res, 422, 'sla_calendar_invalid', {
      errors: [
        { path: 'body/time_zone', message: 'not an IANA time zone' },
        { path: 'body/weekly/2', message: 'the end must be after the start' },
        { path: 'body/weekly/3/start', message: 'not a time 00:00–23:59' },
        { path: 'body/weekly/4/end', message: 'not a time 00:01–24:00' },
        { path: 'body/weekly/1', message: 'overlaps weekly/0 on the same day' },
        { path: 'body/holidays/0/date', message: 'not a date YYYY-MM-DD' },
      ],
    })
    expectError(
      await call('POST', '/sla/calendars', { name: 'Never open', time_zone: 'UTC', weekly: [] }),
      422,
      'sla_calendar_invalid',
      { errors: [{ path: 'body/weekly', message: 'no open hours: give some, or make the calendar 24/7 (always)' }] },
    )
    const everyDay = Array.from({ length: 366 }, (_, d) => ({
      date: new Date(Date.UTC(2000, 0, 1 + d)).toISOString().slice(0, 10),
      yearly: true,
      name: 'Closed',
    }))
    expectError(
      await call('POST', '/sla/calendars', { ...valid('Always closed'), holidays: everyDay }),
      422,
      'sla_calendar_invalid',
      { errors: [{ path: 'body/holidays', message: 'the holidays close every open day' }] },
    )
    // Shapes the schema refuses: 400 with the paths.
    for (const body of [
      { ...valid('Day 8'), weekly: [{ day: 8, start: '09:00', end: '17:00' }] },
      { ...valid('Nine'), weekly: [{ day: 1, start: '9:00', end: '17:00' }] },
      { ...valid('Extra'), colour: 'red' },
      { ...valid('Nul\u0000name') },
      { ...valid('Nul zone'), time_zone: 'Europe/London\u0000' },
    ])
      expectError(await call('POST', '/sla/calendars', body), 400, 'validation_failed', expect.anything())
    expect((await call('GET', '/sla/calendars?limit=100')).json().data.length).toBe(before)
  })

  it('answers 404 for an unknown or foreign calendar and 409 for a taken name', async () => {
    const mine = await create(valid('Mine'))
    expectError(await call('POST', '/sla/calendars', valid('MINE')), 409, 'sla_calendar_name_taken', { name: 'MINE' })
    const theirs = await call('POST', '/sla/calendars', valid('Theirs'), other.keys.admin)
    expect(theirs.statusCode).toBe(201)
    const foreignId = theirs.json().id as string
    expectError(await call('GET', `/sla/calendars/${foreignId}`), 404, 'sla_calendar_not_found', {
      calendar_id: foreignId,
    })
    expectError(await call('PUT', `/sla/calendars/${foreignId}`, valid('Stolen')), 404, 'sla_calendar_not_found', {
      calendar_id: foreignId,
    })
    expectError(await call('DELETE', `/sla/calendars/${foreignId}`), 404, 'sla_calendar_not_found', {
      calendar_id: foreignId,
    })
    const renamed = await create(valid('Second'))
    expectError(await call('PUT', `/sla/calendars/${renamed.id}`, valid('mine')), 409, 'sla_calendar_name_taken', {
      name: 'mine',
    })
    expect((await call('PUT', `/sla/calendars/${mine.id}`, valid('mine'))).json().name).toBe('mine')
  })

  it('lets managers and admins write, and anyone who reads cases read', async () => {
    expectError(await call('POST', '/sla/calendars', valid('By agent'), 'agent'), 403, 'forbidden', {
      permission: 'sla.manage',
    })
    expect((await call('POST', '/sla/calendars', valid('By manager'), 'manager')).statusCode).toBe(201)
    expect((await call('GET', '/sla/calendars', undefined, 'finance')).statusCode).toBe(200)
  })

  it('refuses to delete a calendar a team keeps its business hours by', async () => {
    const cal = await create(valid('In use'))
    const team = await call('POST', '/teams', { name: 'Calendar users', calendar_id: cal.id })
    expect(team.statusCode, team.body).toBe(201)
    expectError(await call('DELETE', `/sla/calendars/${cal.id}`), 409, 'sla_calendar_in_use', {
      calendar_id: cal.id,
      policy_ids: [],
      team_ids: [team.json().id],
    })
    expect((await call('GET', `/sla/calendars/${cal.id}`)).statusCode).toBe(200)
  })
})

const ics = (...events: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...events, 'END:VCALENDAR', ''].join('\r\n')
const vevent = (...lines: string[]) =>
  ['BEGIN:VEVENT', `UID:${Math.random()}`, 'DTSTAMP:20260101T000000Z', ...lines, 'END:VEVENT'].join('\r\n')

describe('holiday import from iCalendar', () => {
  it('turns all-day events into holidays, FREQ=YEARLY ones into yearly, and skips timed events', async () => {
    const cal = await create({ ...valid('Imported'), holidays: [{ date: '2026-12-25', yearly: false, name: 'Xmas' }] })
    const file = ics(
      vevent('DTSTART;VALUE=DATE:20260403', 'DTEND;VALUE=DATE:20260404', 'SUMMARY:Good Friday'),
      vevent('DTSTART;VALUE=DATE:20200101', 'RRULE:FREQ=YEARLY', "SUMMARY:New Year's Day"),
      vevent('DTSTART;VALUE=DATE:20261224', 'DTEND;VALUE=DATE:20261227', 'SUMMARY:Christmas closure'),
      // The first Monday of May: not the same date each year, so dated holidays for the coming years.
      vevent('DTSTART;VALUE=DATE:20250505', 'RRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=1MO', 'SUMMARY:Early May'),
      vevent('DTSTART:20260610T140000Z', 'DTEND:20260610T150000Z', 'SUMMARY:Team meeting'),
    )
    const res = await importIcs(cal.id, file)
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json()
    expect(body.skipped).toEqual([{ summary: 'Team meeting', reason: 'a timed event, not an all-day one' }])
    const holidays = body.calendar.holidays as { date: string; yearly: boolean; name: string }[]
    expect(holidays).toEqual(
      expect.arrayContaining([
        { date: '2020-01-01', yearly: true, name: "New Year's Day" },
        { date: '2026-04-03', yearly: false, name: 'Good Friday' },
        { date: '2026-12-24', yearly: false, name: 'Christmas closure' },
        { date: '2026-12-25', yearly: false, name: 'Xmas' },
        { date: '2026-12-26', yearly: false, name: 'Christmas closure' },
        { date: '2026-05-04', yearly: false, name: 'Early May' },
        { date: '2027-05-03', yearly: false, name: 'Early May' },
      ]),
    )
    // 25 Dec was there already: not added twice.
    expect(holidays.filter((h) => h.date === '2026-12-25')).toHaveLength(1)
    expect(body.imported).toBe(holidays.length - 1)
    expect(await auditActions(cal.id)).toEqual(['sla_calendar.created', 'sla_calendar.updated'])

    const replaced = await importIcs(
      cal.id,
      ics(vevent('DTSTART;VALUE=DATE:20270101', 'SUMMARY:Only')),
      '?replace=true',
    )
    expect(replaced.json().calendar.holidays).toEqual([{ date: '2027-01-01', yearly: false, name: 'Only' }])
  })

  it('refuses a malformed file with the parser message, a NUL byte, another type and a huge body', async () => {
    const cal = await create(valid('Import errors'))
    const malformed = await importIcs(cal.id, 'BEGIN:VCALENDAR\r\nthis is not a property\r\nEND:VCALENDAR\r\n')
    expectError(malformed, 400, 'ics_invalid', { reason: expect.stringMatching(/.+/) })
    expectError(await importIcs(cal.id, 'hello'), 400, 'ics_invalid', { reason: expect.any(String) })
    expectError(await importIcs(cal.id, 'BEGIN:VEVENT\r\nEND:VEVENT\r\n'), 400, 'ics_invalid', {
      reason: 'expected BEGIN:VCALENDAR',
    })
    // NUL bytes are refused before the route, as in every body.
    expectError(
      await importIcs(cal.id, ics(vevent('DTSTART;VALUE=DATE:20260403', 'SUMMARY:Nul\u0000'))),
      400,
      'validation_failed',
      { errors: [{ path: 'body', message: 'must not contain a NUL character' }] },
    )
    // A file whose yearly holidays close every day: the body (the file) is what is wrong.
    const everyDay = Array.from({ length: 366 }, (_, d) =>
      vevent(
        `DTSTART;VALUE=DATE:${new Date(Date.UTC(2000, 0, 1 + d)).toISOString().slice(0, 10).replaceAll('-', '')}`,
        'RRULE:FREQ=YEARLY',
        'SUMMARY:Closed',
      ),
    )
    expectError(await importIcs(cal.id, ics(...everyDay)), 422, 'sla_calendar_invalid', {
      errors: [{ path: 'body', message: 'the holidays close every open day' }],
    })
    expectError(await importIcs(cal.id, '{}', '', 'application/json'), 415, 'unsupported_media_type')
    expectError(await importIcs(cal.id, 'x'.repeat(1024 * 1024 + 1)), 413, 'payload_too_large')
    expectError(await importIcs('01930000-0000-7000-8000-000000000000', ics()), 404, 'sla_calendar_not_found', {
      calendar_id: '01930000-0000-7000-8000-000000000000',
    })
    expect((await call('GET', `/sla/calendars/${cal.id}`)).json().holidays).toEqual([])
    expect(await auditActions(cal.id)).toEqual(['sla_calendar.created'])
  })
})

describe('demo calendars', () => {
  it('gives UK business hours with England and Wales bank holidays, and a 24/7 calendar', async () => {
    const now = new Date('2026-12-01T12:00:00Z')
    const ids = await env.ctx.db
      .transaction()
      .execute((trx) => seedDemoCalendars(trx, systemContext(m.id, 'demo'), now))
    const uk = await getCalendar(env.ctx.db, m.id, ids.businessHoursId)
    expect(uk.holidays).toHaveLength(24)
    // Thu 24 Dec 2026 17:00: 30 minutes; 25 and 28 Dec bank holidays; Tue 29 Dec 09:30.
    expect(addBusinessMinutes(uk, new Date('2026-12-24T17:00:00Z'), 60).toISOString()).toBe('2026-12-29T09:30:00.000Z')
    // Thu 25 Mar 2027 17:00 GMT: 30 minutes; Good Friday, the weekend (BST from 28 Mar), Easter Monday; Tue 30 Mar
    // 09:30 BST is 08:30Z.
    expect(addBusinessMinutes(uk, new Date('2027-03-25T17:00:00Z'), 60).toISOString()).toBe('2027-03-30T08:30:00.000Z')
    const always = await getCalendar(env.ctx.db, m.id, ids.alwaysId)
    expect(addBusinessMinutes(always, new Date('2026-12-25T00:00:00Z'), 90).toISOString()).toBe(
      '2026-12-25T01:30:00.000Z',
    )
  })
})
