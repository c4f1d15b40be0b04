import {
  Badge,
  Button,
  Card,
  Group,
  MultiSelect,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ok, type Body } from '../../api/client'
import type { Team } from '../../api/types'
import { usePeople } from '../../app/directory'
import { useCan } from '../../app/session'
import { ConfirmButton } from '../../components/ConfirmButton'
import { errorAt } from '../../components/field-errors'
import { FormActions, FormDialog, useRecordForm } from '../../components/form'
import { ListStatus } from '../../components/lists'
import { LoadMore, usePaged } from '../../components/paged'
import { NewButton, SectionHeader } from '../../components/SectionHeader'
import { useCalendars } from './Calendars'

type TeamBody = Body<'/api/v1/teams', 'post'>
type Editing = { team: Team | null } | null

/** The people a name or picker can show: active people, plus any id a team still holds (someone since disabled). */
function usePeopleOptions(extraIds: string[]) {
  const people = usePeople()
  const known = (people.data ?? []).map((p) => ({ value: p.id, label: p.name }))
  const missing = extraIds
    .filter((id) => !known.some((k) => k.value === id))
    .map((id) => ({ value: id, label: people.isPending ? '…' : 'Disabled person' }))
  return [...known, ...missing]
}

export function Teams() {
  const can = useCan()
  const [editing, setEditing] = useState<Editing>(null)
  const { query, rows } = usePaged(['teams', 'all'], (cursor) =>
    ok(api.GET('/api/v1/teams', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })),
  )
  return (
    <Stack gap="md">
      <SectionHeader
        title="Teams"
        description="Groups that cases are routed to, each with an optional lead"
        action={can('teams.manage') && <NewButton onClick={() => setEditing({ team: null })}>New team</NewButton>}
      />
      <ListStatus query={query} skeleton={200} empty={rows.length === 0 && 'No teams yet.'} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {rows.map((t) => (
          <TeamCard key={t.id} team={t} edit={() => setEditing({ team: t })} />
        ))}
      </SimpleGrid>
      <LoadMore query={query} />
      {editing && <TeamModal team={editing.team} close={() => setEditing(null)} />}
    </Stack>
  )
}

function TeamCard({ team, edit }: { team: Team; edit: () => void }) {
  const can = useCan()
  const qc = useQueryClient()
  const people = usePeopleOptions(team.member_ids)
  const name = (id: string) => people.find((p) => p.value === id)?.label ?? 'Someone'
  const calendars = useCalendars()
  const hours = team.calendar_id && (calendars.data?.find((c) => c.id === team.calendar_id)?.name ?? '…')
  const remove = useMutation({
    mutationFn: () => ok(api.DELETE('/api/v1/teams/{id}', { params: { path: { id: team.id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['teams'] }),
  })
  return (
    <Card withBorder aria-label={`Team ${team.name}`}>
      <SectionHeader
        title={team.name}
        description={team.description}
        order={3}
        size="h5"
        align="flex-start"
        action={
          can('teams.manage') && (
            <Group gap={4}>
              <Button size="xs" variant="default" onClick={edit} aria-label={`Edit ${team.name}`}>
                Edit
              </Button>
              <ConfirmButton
                label="Delete"
                ariaLabel={`Delete ${team.name}`}
                question={`Delete the team ${team.name}? Its members keep their accounts; routing rules that send cases to it must then be changed.`}
                confirm="Delete team"
                onConfirm={() => remove.mutate()}
                pending={remove.isPending}
              />
            </Group>
          )
        }
      />
      <Text size="sm" mt="xs">
        Lead: <b>{team.lead_user_id ? name(team.lead_user_id) : 'none'}</b>
      </Text>
      <Text size="sm">
        Business hours: <b>{hours || 'none (alerts at any hour)'}</b>
      </Text>
      <Group gap={4} mt="xs" aria-label="Members">
        {team.member_ids.length === 0 && (
          <Text size="sm" c="dimmed">
            No members
          </Text>
        )}
        {team.member_ids.map((id) => (
          <Badge key={id} variant="light" color={id === team.lead_user_id ? 'indigo' : 'gray'}>
            {name(id)}
          </Badge>
        ))}
      </Group>
    </Card>
  )
}

function TeamModal({ team, close }: { team: Team | null; close: () => void }) {
  const { form, setForm, save, fields, field } = useRecordForm(
    () => ({
      name: team?.name ?? '',
      description: team?.description ?? '',
      lead: team?.lead_user_id ?? null,
      members: team?.member_ids ?? [],
      calendar: team?.calendar_id ?? null,
    }),
    team,
    {
      create: (body: TeamBody) => ok(api.POST('/api/v1/teams', { body })),
      update: (t, body) => ok(api.PATCH('/api/v1/teams/{id}', { params: { path: { id: t.id } }, body })),
      invalidates: ['teams'],
      close,
    },
  )
  const people = usePeopleOptions([...form.members, ...(form.lead ? [form.lead] : [])])
  const calendars = useCalendars()
  // A lead removed from the members is no longer the lead (the server would add them back otherwise).
  const lead = form.lead && form.members.includes(form.lead) ? form.lead : null
  return (
    <FormDialog
      opened
      onClose={close}
      title={team ? `Edit ${team.name}` : 'New team'}
      submit={() =>
        save.mutate({
          name: form.name.trim(),
          description: form.description,
          lead_user_id: lead,
          member_ids: form.members,
          calendar_id: form.calendar,
        })
      }
    >
      <TextInput label="Name" required {...field.text('name')} />
      <Textarea label="Description" autosize minRows={2} {...field.text('description')} />
      <MultiSelect
        label="Members"
        searchable
        data={people}
        {...field.value('members')}
        error={errorAt(fields, 'member_ids')}
      />
      <Select
        label="Lead"
        clearable
        searchable
        placeholder="No lead"
        data={people.filter((p) => form.members.includes(p.value))}
        value={lead}
        onChange={(v) => setForm({ ...form, lead: v })}
        error={fields.lead_user_id}
      />
      <Select
        label="Business hours"
        description="SLA alerts to the team that are not urgent wait for these hours"
        clearable
        placeholder="Any hour"
        data={(calendars.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
        value={form.calendar}
        onChange={(v) => setForm({ ...form, calendar: v })}
        error={fields.calendar_id}
      />
      <FormActions cancel={close} loading={save.isPending} disabled={!form.name.trim()}>
        {team ? 'Save' : 'Create team'}
      </FormActions>
    </FormDialog>
  )
}
