import type { ServiceContext } from '../../auth/actor.js'
import { recordAuditFor } from '../../changes.js'
import type { Db, Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { isUuid, newId } from '../../ids.js'
import type { BusinessCalendar, Holiday, WeeklyHours } from '../calendar.js'
import { parseIcsHolidays } from './ics.js'
import { calendarInUse } from './in-use.js'
import * as store from './store.js'
import { calendarProblems } from './validate.js'

/** A calendar as the SLA arithmetic takes it, with its id and name. */
export type StoredCalendar = BusinessCalendar & { id: string; name: string }

/** A calendar as the API shows it. */
export type CalendarView = {
  id: string
  name: string
  time_zone: string
  always: boolean
  weekly: WeeklyHours[]
  holidays: Holiday[]
  created_at: Date
  updated_at: Date
}

export type CalendarInput = {
  name: string
  timeZone: string
  always: boolean
  weekly: WeeklyHours[]
  holidays: Holiday[]
}

type Row = NonNullable<Awaited<ReturnType<typeof store.findCalendar>>>

const toView = (r: Row): CalendarView => ({
  id: r.id,
  name: r.name,
  time_zone: r.time_zone,
  always: r.always,
  weekly: r.weekly,
  holidays: r.holidays,
  created_at: r.created_at,
  updated_at: r.updated_at,
})

const notFound = (id: string) => new AppError('sla_calendar_not_found', 'No such calendar', { calendar_id: id })
const nameTaken = (name: string) =>
  new AppError('sla_calendar_name_taken', 'A calendar with this name exists', { name })

async function findRow(db: Db, merchantId: string, id: string): Promise<Row> {
  const row = isUuid(id) ? await store.findCalendar(db, merchantId, id) : undefined
  if (!row) throw notFound(id)
  return row
}

export async function getCalendar(db: Db, merchantId: string, id: string): Promise<StoredCalendar> {
  const r = await findRow(db, merchantId, id)
  return { id: r.id, name: r.name, timeZone: r.time_zone, always: r.always, weekly: r.weekly, holidays: r.holidays }
}

export async function getCalendarView(db: Db, merchantId: string, id: string): Promise<CalendarView> {
  return toView(await findRow(db, merchantId, id))
}

export async function listCalendars(
  db: Db,
  merchantId: string,
  page: { after?: string; limit: number },
): Promise<CalendarView[]> {
  return (await store.listCalendars(db, merchantId, page)).map(toView)
}

/** The row's columns for an input; hours sorted by day and start, so the stored calendar reads the way the week does. */
const columns = (input: CalendarInput) => ({
  name: input.name,
  time_zone: input.timeZone,
  always: input.always,
  weekly: JSON.stringify([...input.weekly].sort((a, b) => a.day - b.day || a.start.localeCompare(b.start))),
  holidays: JSON.stringify(
    [...input.holidays].sort((a, b) => a.date.localeCompare(b.date) || Number(a.yearly) - Number(b.yearly)),
  ),
})

/** Refuses an invalid calendar, each problem at its path in the request body (as schema failures name them). */
function validate(input: Omit<CalendarInput, 'name'>, now: Date, body: (path: string) => string): void {
  const errors = calendarProblems(input, now).map((p) => ({ path: body(p.path), message: p.message }))
  if (errors.length > 0) throw new AppError('sla_calendar_invalid', 'The calendar is not valid', { errors })
}
const inBody = (path: string) => `body/${path}`

const audited = (v: CalendarView) => ({
  name: v.name,
  time_zone: v.time_zone,
  always: v.always,
  weekly: v.weekly,
  holidays: v.holidays,
})

export async function createCalendar(trx: Trx, ctx: ServiceContext, input: CalendarInput, now: Date) {
  validate(input, now, inBody)
  const row = await store.insertCalendar(trx, {
    merchant_id: ctx.merchantId,
    id: newId(),
    ...columns(input),
    created_at: now,
    updated_at: now,
  })
  if (!row) throw nameTaken(input.name)
  const view = toView(row)
  await recordAuditFor(
    trx,
    ctx,
    { action: 'sla_calendar.created', entityType: 'sla_calendar', entityId: view.id, after: audited(view) },
    now,
  )
  return view
}

async function replaceCalendar(
  trx: Trx,
  ctx: ServiceContext,
  before: Row,
  input: CalendarInput,
  now: Date,
  body: (path: string) => string = inBody,
) {
  validate(input, now, body)
  if (input.name.toLowerCase() !== before.name.toLowerCase()) {
    if (await store.findCalendarIdByName(trx, ctx.merchantId, input.name, before.id)) throw nameTaken(input.name)
  }
  const after = toView(
    await store.updateCalendar(trx, ctx.merchantId, before.id, {
      ...columns(input),
      updated_at: now,
    }),
  )
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'sla_calendar.updated',
      entityType: 'sla_calendar',
      entityId: before.id,
      before: audited(toView(before)),
      after: audited(after),
    },
    now,
  )
  return after
}

async function lockRow(trx: Trx, merchantId: string, id: string): Promise<Row> {
  const row = isUuid(id) ? await store.lockCalendar(trx, merchantId, id) : undefined
  if (!row) throw notFound(id)
  return row
}

export async function updateCalendar(trx: Trx, ctx: ServiceContext, id: string, input: CalendarInput, now: Date) {
  return replaceCalendar(trx, ctx, await lockRow(trx, ctx.merchantId, id), input, now)
}

export async function deleteCalendar(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<void> {
  const row = await lockRow(trx, ctx.merchantId, id)
  const users = await calendarInUse(trx, ctx.merchantId, row.id)
  if (users.policy_ids.length > 0 || users.team_ids.length > 0)
    throw new AppError('sla_calendar_in_use', 'SLA policies or teams use this calendar', {
      calendar_id: row.id,
      ...users,
    })
  await store.deleteCalendar(trx, ctx.merchantId, row.id)
  await recordAuditFor(
    trx,
    ctx,
    { action: 'sla_calendar.deleted', entityType: 'sla_calendar', entityId: row.id, before: audited(toView(row)) },
    now,
  )
}

export type HolidayImport = {
  calendar: CalendarView
  imported: number
  skipped: { summary: string; reason: string }[]
}

/** Holidays from an iCalendar file, added to the calendar's (or, with `replace`, instead of them). */
export async function importHolidays(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  ics: string,
  opts: { replace: boolean },
  now: Date,
): Promise<HolidayImport> {
  const before = await lockRow(trx, ctx.merchantId, id)
  const parsed = parseIcsHolidays(ics, now)
  const kept = opts.replace ? [] : before.holidays
  const key = (h: Holiday) => (h.yearly ? `y${h.date.slice(5)}` : h.date)
  const known = new Set(kept.map(key))
  const added = parsed.holidays.filter((h) => !known.has(key(h)))
  const calendar = await replaceCalendar(
    trx,
    ctx,
    before,
    {
      name: before.name,
      timeZone: before.time_zone,
      always: before.always,
      weekly: before.weekly,
      holidays: [...kept, ...added],
    },
    now,
    // The body is the .ics file: what it adds can only make the holidays close every open day.
    () => 'body',
  )
  return { calendar, imported: added.length, skipped: parsed.skipped }
}
