import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { type Static, Type } from 'typebox'
import { inTransaction } from '../../auth/actor.js'
import { AppError } from '../../errors.js'
import { deleteHandler } from '../../http/handlers.js'
import { routeOptions, workspacePage } from '../../http/route.js'
import { Page, PageQuery } from '../../http/schemas.js'
import type { Weekday } from '../calendar.js'
import { CalendarBody, CalendarParams, CalendarView, HolidayImportQuery, HolidayImportView } from './schemas.js'
import * as service from './service.js'

const route = routeOptions('sla')
/** Holiday feeds run to tens of kilobytes (gov.uk's, all years, is 60 KB); anything near this is not one. */
export const icsBodyLimit = 1024 * 1024

const example = {
  name: 'Support hours',
  time_zone: 'Europe/London',
  weekly: [{ day: 1, start: '09:00', end: '17:30' }],
  holidays: [{ date: '2026-12-25', yearly: true, name: 'Christmas Day' }],
}

type Body = Static<typeof CalendarBody>
const toInput = (b: Body): service.CalendarInput => ({
  name: b.name,
  timeZone: b.time_zone,
  always: b.always ?? false,
  weekly: (b.weekly ?? []).map((h) => ({ ...h, day: h.day as Weekday })),
  holidays: (b.holidays ?? []).map((h) => ({ ...h, yearly: h.yearly ?? false })),
})

const isCalendarFile = (req: FastifyRequest) =>
  (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'text/calendar'

/** Business-hours calendars: GET/POST /sla/calendars, GET/PUT/DELETE /sla/calendars/:id, holiday import. */
export const calendarRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Only in this plugin's scope: an .ics file arrives as its text.
  app.addContentTypeParser('text/calendar', { parseAs: 'string', bodyLimit: icsBodyLimit }, (_req, body, done) =>
    done(null, body),
  )

  app.get(
    '/sla/calendars',
    route('cases.read', {
      summary: 'Business-hours calendars (SLA targets in business time count only their open hours)',
      querystring: PageQuery,
      response: { 200: Page(CalendarView) },
    }),
    async (req) => workspacePage(app.db, req, service.listCalendars),
  )

  app.get(
    '/sla/calendars/:id',
    route('cases.read', { summary: 'One calendar', params: CalendarParams, response: { 200: CalendarView } }),
    async (req) => service.getCalendarView(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/sla/calendars',
    route(
      'sla.manage',
      {
        summary: 'A calendar: IANA zone, weekly hours (several a day for split shifts), holidays, or 24/7',
        body: CalendarBody,
        response: { 201: CalendarView },
      },
      example,
    ),
    async (req, reply) => {
      const view = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.createCalendar(trx, ctx, toInput(req.body), now),
      )
      return reply.status(201).send(view)
    },
  )

  app.put(
    '/sla/calendars/:id',
    route(
      'sla.manage',
      { summary: 'Replace a calendar', params: CalendarParams, body: CalendarBody, response: { 200: CalendarView } },
      example,
    ),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) =>
        service.updateCalendar(trx, ctx, req.params.id, toInput(req.body), now),
      ),
  )

  app.delete(
    '/sla/calendars/:id',
    route('sla.manage', {
      summary: 'Delete a calendar no SLA policy uses',
      params: CalendarParams,
      response: { 204: Type.Null() },
    }),
    deleteHandler((req) =>
      inTransaction(app.db, req, (trx, ctx, now) => service.deleteCalendar(trx, ctx, req.params.id, now)),
    ),
  )

  app.post(
    '/sla/calendars/:id/holidays/import',
    {
      bodyLimit: icsBodyLimit,
      // After authentication, before the body is read: name the format rather than let the JSON parser answer.
      onRequest: async (req) => {
        if (!isCalendarFile(req))
          throw new AppError('unsupported_media_type', 'Send an iCalendar file (Content-Type: text/calendar)')
      },
      ...route('sla.manage', {
        summary: 'Import holidays from an iCalendar (.ics) file: all-day events, FREQ=YEARLY ones as yearly',
        consumes: ['text/calendar'],
        params: CalendarParams,
        querystring: HolidayImportQuery,
        body: Type.String({ description: 'The .ics file' }),
        response: { 200: HolidayImportView },
      }),
    },
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) =>
        service.importHolidays(trx, ctx, req.params.id, req.body, { replace: req.query.replace ?? false }, now),
      ),
  )
}
