import { systemContext } from '../src/auth/actor.js'
import { createCalendar } from '../src/sla/calendars/service.js'
import type { FixtureKitShape as FixtureKit, RouteFixture } from './fixture-kit.js'

// Requests for the SLA calendars' routes (issue 22), for the RBAC matrix and the fuzz test.

async function calendar(k: FixtureKit): Promise<string> {
  const c = await k.ctx.db.transaction().execute((trx) =>
    createCalendar(
      trx,
      systemContext(k.m.id),
      {
        name: k.unique('Calendar'),
        timeZone: 'Europe/London',
        always: false,
        weekly: [{ day: 1, start: '09:00', end: '17:30' }],
        holidays: [],
      },
      new Date(),
    ),
  )
  k.created.add(c.id)
  return c.id
}

const body = (k: FixtureKit) => ({
  name: k.unique('Hours'),
  time_zone: 'Europe/London',
  weekly: [{ day: 1, start: '09:00', end: '17:30' }],
  holidays: [{ date: '2026-12-25', yearly: true, name: 'Christmas Day' }],
})

const ics = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//fixture//EN',
  'BEGIN:VEVENT',
  'UID:fixture-1',
  'DTSTAMP:20260101T000000Z',
  'DTSTART;VALUE=DATE:20261225',
  'SUMMARY:Christmas Day',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n')

export const slaCalendarFixtures: Record<string, RouteFixture> = {
  'GET /api/v1/sla/calendars': async () => ({}),
  'POST /api/v1/sla/calendars': async (k) => ({ body: body(k) }),
  'GET /api/v1/sla/calendars/{id}': async (k) => ({ params: { id: await calendar(k) } }),
  'PUT /api/v1/sla/calendars/{id}': async (k) => ({ params: { id: await calendar(k) }, body: body(k) }),
  'DELETE /api/v1/sla/calendars/{id}': async (k) => ({ params: { id: await calendar(k) } }),
  'POST /api/v1/sla/calendars/{id}/holidays/import': async (k) => ({
    params: { id: await calendar(k) },
    raw: { contentType: 'text/calendar', payload: ics },
  }),
}
