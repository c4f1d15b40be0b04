import {
  ActionIcon,
  Alert,
  Button,
  Checkbox,
  FileButton,
  Group,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ok, type Body, type Reply } from '../../api/client'
import { useCan } from '../../app/session'
import { ConfirmButton } from '../../components/ConfirmButton'
import { errorAt, fieldErrorsOf } from '../../components/field-errors'
import { bindForm, FormActions, FormDialog } from '../../components/form'
import { ListTable } from '../../components/lists'
import { NewButton, SectionHeader } from '../../components/SectionHeader'

export type Calendar = Reply<'/api/v1/sla/calendars', 'get'>['data'][number]
type CalendarBody = Body<'/api/v1/sla/calendars', 'post'>
type Shift = CalendarBody['weekly'] extends (infer S)[] | undefined ? S : never
type Holiday = Calendar['holidays'][number]

export const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const
const zones = Intl.supportedValuesOf('timeZone')

/** The workspace's calendars, for pickers (SLA targets in business time). */
export function useCalendars() {
  return useQuery({
    queryKey: ['sla-calendars'],
    queryFn: () => ok(api.GET('/api/v1/sla/calendars', { params: { query: { limit: 100 } } })),
    select: (r) => r.data,
    staleTime: 60_000,
  })
}

/** "Mon–Fri 09:00–17:30" when every open day has the same hours, else the days; "24/7". */
export function hoursSummary(c: { always: boolean; weekly: Shift[] }): string {
  if (c.always) return '24/7'
  if (!c.weekly.length) return 'Closed'
  const days = [...new Set(c.weekly.map((s) => s.day))].sort()
  const hours = (d: number) =>
    c.weekly
      .filter((s) => s.day === d)
      .map((s) => `${s.start}–${s.end}`)
      .join(', ')
  const same = days.every((d) => hours(d) === hours(days[0]!))
  const consecutive = days.every((d, i) => i === 0 || d === days[i - 1]! + 1)
  const short = (d: number) => weekdays[d - 1]!.slice(0, 3)
  const span = consecutive && days.length > 2 ? `${short(days[0]!)}–${short(days.at(-1)!)}` : days.map(short).join(' ')
  return same ? `${span} ${hours(days[0]!)}` : days.map((d) => `${short(d)} ${hours(d)}`).join('; ')
}

export function Calendars() {
  const can = useCan()
  const [editing, setEditing] = useState<{ calendar: Calendar | null } | null>(null)
  const list = useCalendars()
  return (
    <Stack gap="md">
      <SectionHeader
        title="Business-hours calendars"
        description="Opening hours in a time zone, with holidays: SLA targets in business time count only these hours"
        action={can('sla.manage') && <NewButton onClick={() => setEditing({ calendar: null })}>New calendar</NewButton>}
      />
      <ListTable
        label="Calendars"
        columns={['Calendar', 'Time zone', 'Hours', 'Holidays', '']}
        query={list}
        skeleton={160}
        empty="No calendars yet: targets count calendar time (24/7)."
        rows={list.data ?? []}
        row={(c) => <CalendarRow key={c.id} calendar={c} edit={() => setEditing({ calendar: c })} />}
      />
      {editing && <CalendarModal calendar={editing.calendar} close={() => setEditing(null)} />}
    </Stack>
  )
}

function CalendarRow({ calendar: c, edit }: { calendar: Calendar; edit: () => void }) {
  const can = useCan()
  const qc = useQueryClient()
  const remove = useMutation({
    mutationFn: () => ok(api.DELETE('/api/v1/sla/calendars/{id}', { params: { path: { id: c.id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['sla-calendars'] }),
  })
  return (
    <Table.Tr>
      <Table.Td>
        <Text fw={600} size="sm">
          {c.name}
        </Text>
      </Table.Td>
      <Table.Td>{c.time_zone}</Table.Td>
      <Table.Td>{hoursSummary(c)}</Table.Td>
      <Table.Td>{c.holidays.length}</Table.Td>
      <Table.Td>
        {can('sla.manage') && (
          <Group gap={4} wrap="nowrap">
            <Button size="xs" variant="default" onClick={edit} aria-label={`Edit ${c.name}`}>
              Edit
            </Button>
            <ConfirmButton
              label="Delete"
              ariaLabel={`Delete ${c.name}`}
              pending={remove.isPending}
              confirm="Delete"
              question={`Delete ${c.name}? Only a calendar no SLA policy uses can be deleted.`}
              onConfirm={() => remove.mutate()}
            />
          </Group>
        )}
      </Table.Td>
    </Table.Tr>
  )
}

type Form = { name: string; time_zone: string; always: boolean; weekly: Shift[]; holidays: Holiday[] }

const blank = (): Form => ({
  name: '',
  time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  always: false,
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, start: '09:00', end: '17:00' })),
  holidays: [],
})

function CalendarModal({ calendar, close }: { calendar: Calendar | null; close: () => void }) {
  const qc = useQueryClient()
  const [form, setForm] = useState<Form>(() =>
    calendar
      ? {
          name: calendar.name,
          time_zone: calendar.time_zone,
          always: calendar.always,
          weekly: calendar.weekly,
          holidays: calendar.holidays,
        }
      : blank(),
  )
  const save = useMutation({
    meta: { fieldErrors: true },
    mutationFn: (body: CalendarBody) =>
      ok(
        calendar
          ? api.PUT('/api/v1/sla/calendars/{id}', { params: { path: { id: calendar.id } }, body })
          : api.POST('/api/v1/sla/calendars', { body }),
      ),
    onSuccess: () => {
      close()
      return qc.invalidateQueries({ queryKey: ['sla-calendars'] })
    },
  })
  const errors = fieldErrorsOf(save.error)
  const put = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }))
  const setShift = (i: number, patch: Partial<Shift>) =>
    put(
      'weekly',
      form.weekly.map((s, j) => (j === i ? { ...s, ...patch } : s)),
    )
  const setHoliday = (i: number, patch: Partial<Holiday>) =>
    put(
      'holidays',
      form.holidays.map((h, j) => (j === i ? { ...h, ...patch } : h)),
    )
  const shown = ['name', 'time_zone', 'always', 'weekly', 'holidays']
  const other = Object.entries(errors).filter(([k]) => !shown.some((p) => k === p || k.startsWith(`${p}.`)))

  return (
    <FormDialog
      opened
      onClose={close}
      title={calendar ? `Edit ${calendar.name}` : 'New calendar'}
      size="60rem"
      submit={() => save.mutate({ ...form, name: form.name.trim() })}
    >
      <Group grow align="flex-start">
        <TextInput label="Name" required {...bindForm(form, setForm, errors).text('name')} />
        <Select
          label="Time zone"
          searchable
          allowDeselect={false}
          data={zones}
          value={form.time_zone}
          onChange={(v) => v && put('time_zone', v)}
          error={errors.time_zone}
          limit={50}
        />
      </Group>
      <Switch
        label="Open 24/7 (holidays still close it)"
        checked={form.always}
        onChange={(e) => put('always', e.currentTarget.checked)}
      />
      {!form.always && (
        <Stack gap={4} role="group" aria-label="Weekly hours">
          <Text size="sm" fw={500}>
            Weekly hours
          </Text>
          {errors.weekly && (
            <Text size="sm" c="red">
              {errors.weekly}
            </Text>
          )}
          {weekdays.map((name, d) => (
            <DayHours
              key={name}
              name={name}
              shifts={form.weekly.flatMap((s, i) => (s.day === d + 1 ? [{ s, i }] : []))}
              set={setShift}
              remove={(i) =>
                put(
                  'weekly',
                  form.weekly.filter((_, j) => j !== i),
                )
              }
              add={() => put('weekly', [...form.weekly, { day: d + 1, start: '09:00', end: '17:00' }])}
              errors={errors}
            />
          ))}
        </Stack>
      )}
      <Stack gap={4} role="group" aria-label="Holidays">
        <Group justify="space-between">
          <Text size="sm" fw={500}>
            Holidays
          </Text>
          <Group gap="xs">
            {calendar && <ImportIcs calendarId={calendar.id} imported={(c) => put('holidays', c.holidays)} />}
            <Button
              size="xs"
              variant="default"
              onClick={() => put('holidays', [...form.holidays, { date: '', name: '', yearly: false }])}
            >
              Add holiday
            </Button>
          </Group>
        </Group>
        {errors.holidays && (
          <Text size="sm" c="red">
            {errors.holidays}
          </Text>
        )}
        {form.holidays.map((h, i) => (
          <Group key={i} gap="xs" align="flex-start" wrap="nowrap">
            <TextInput
              size="xs"
              w={130}
              aria-label={`Holiday ${i + 1} date`}
              placeholder="YYYY-MM-DD"
              value={h.date}
              onChange={(e) => setHoliday(i, { date: e.currentTarget.value })}
              error={errorAt(errors, `holidays.${i}.date`)}
            />
            <TextInput
              size="xs"
              style={{ flex: 1 }}
              aria-label={`Holiday ${i + 1} name`}
              placeholder="Name"
              value={h.name}
              onChange={(e) => setHoliday(i, { name: e.currentTarget.value })}
              error={errorAt(errors, `holidays.${i}.name`)}
            />
            <Checkbox
              mt={6}
              label="Every year"
              checked={h.yearly}
              onChange={(e) => setHoliday(i, { yearly: e.currentTarget.checked })}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={`Remove holiday ${i + 1}`}
              onClick={() =>
                put(
                  'holidays',
                  form.holidays.filter((_, j) => j !== i),
                )
              }
            >
              ×
            </ActionIcon>
          </Group>
        ))}
      </Stack>
      {other.length > 0 && (
        <Alert color="red" p="xs">
          {other.map(([k, v]) => `${k}: ${v}`).join('; ')}
        </Alert>
      )}
      <FormActions cancel={close} loading={save.isPending} disabled={!form.name.trim()}>
        {calendar ? 'Save calendar' : 'Create calendar'}
      </FormActions>
    </FormDialog>
  )
}

function DayHours({
  name,
  shifts,
  set,
  remove,
  add,
  errors,
}: {
  name: string
  shifts: { s: Shift; i: number }[]
  set: (i: number, patch: Partial<Shift>) => void
  remove: (i: number) => void
  add: () => void
  errors: Record<string, string>
}) {
  return (
    <Group gap="xs" align="flex-start" wrap="nowrap">
      <Text size="sm" w={100} mt={4}>
        {name}
      </Text>
      <Stack gap={4} style={{ flex: 1 }}>
        {!shifts.length && (
          <Text size="sm" c="dimmed" mt={4}>
            Closed
          </Text>
        )}
        {shifts.map(({ s, i }, n) => (
          <Group key={i} gap={4} align="flex-start" wrap="nowrap">
            <TextInput
              size="xs"
              w={80}
              aria-label={`${name} shift ${n + 1} start`}
              value={s.start}
              onChange={(e) => set(i, { start: e.currentTarget.value })}
              error={errors[`weekly.${i}.start`]}
            />
            <Text size="sm" mt={4}>
              –
            </Text>
            <TextInput
              size="xs"
              w={80}
              aria-label={`${name} shift ${n + 1} end`}
              value={s.end}
              onChange={(e) => set(i, { end: e.currentTarget.value })}
              error={errors[`weekly.${i}.end`] ?? errors[`weekly.${i}`]}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              mt={2}
              aria-label={`Remove ${name} shift ${n + 1}`}
              onClick={() => remove(i)}
            >
              ×
            </ActionIcon>
          </Group>
        ))}
      </Stack>
      <Button size="compact-xs" variant="subtle" onClick={add} aria-label={`Add ${name} hours`}>
        + hours
      </Button>
    </Group>
  )
}

/** Holidays from an iCalendar file (a bank-holiday feed), added to the calendar as saved on the server. */
function ImportIcs({ calendarId, imported }: { calendarId: string; imported: (c: Calendar) => void }) {
  const qc = useQueryClient()
  const upload = useMutation({
    mutationFn: async (file: File) =>
      ok(
        api.POST('/api/v1/sla/calendars/{id}/holidays/import', {
          params: { path: { id: calendarId } },
          body: await file.text(),
          bodySerializer: (b: unknown) => b as string,
          headers: { 'content-type': 'text/calendar' },
        }),
      ),
    onSuccess: (r) => {
      imported(r.calendar)
      notifications.show({
        color: 'teal',
        title: `${r.imported} ${r.imported === 1 ? 'holiday' : 'holidays'} imported`,
        message: r.skipped.length
          ? `Skipped: ${r.skipped
              .slice(0, 3)
              .map((s) => `${s.summary} (${s.reason})`)
              .join('; ')}`
          : 'Saved on the calendar',
      })
      return qc.invalidateQueries({ queryKey: ['sla-calendars'] })
    },
  })
  return (
    <FileButton onChange={(f) => f && upload.mutate(f)} accept=".ics,text/calendar">
      {(props) => (
        <Button {...props} size="xs" variant="default" loading={upload.isPending}>
          Import .ics
        </Button>
      )}
    </FileButton>
  )
}
