import { Badge, Button, Group, Select, Stack, Table, TagsInput, Text, TextInput } from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ok, type Body } from '../../api/client'
import { useAssignees, usePermittedList, usePersonName } from '../../app/directory'
import { useCan } from '../../app/session'
import { ConfirmButton } from '../../components/ConfirmButton'
import { errorAt, fieldErrorsOf } from '../../components/field-errors'
import { statusLabel } from '../../components/format'
import { FormActions, FormDialog, useSave } from '../../components/form'
import { ListTable } from '../../components/lists'
import { NewButton, SectionHeader } from '../../components/SectionHeader'
import { actionText, fromActionForm, type Macro, type MacroAction, toActionForm } from './templates'

type MacroBody = Body<'/api/v1/macros', 'post'>
// What a macro may set a case to (the server's macroStatuses: resolving needs a resolution code).
const statuses = ['open', 'waiting_customer', 'waiting_carrier', 'on_hold']

/** Email templates that are not archived, for pickers and names. */
export function useTemplateOptions() {
  return useQuery({
    queryKey: ['message-templates', 'email'],
    queryFn: () => ok(api.GET('/api/v1/message-templates', { params: { query: { channel: 'email' } } })),
    select: (r) => r.data.filter((t) => !t.archived_at),
    staleTime: 60_000,
  })
}

/** The workspace's teams, for the macro form and names (people who may read teams). */
function useTeamOptions() {
  return usePermittedList(
    ['teams'],
    'teams.read',
    () => ok(api.GET('/api/v1/teams', { params: { query: { limit: 100 } } })),
    5 * 60_000,
  )
}

/** Macros: a template to send and actions (status, tags, assignee), applied from the composer in one step. */
export function Macros() {
  const can = useCan()
  const [editing, setEditing] = useState<{ macro: Macro | null } | null>(null)
  const list = useQuery({ queryKey: ['macros'], queryFn: () => ok(api.GET('/api/v1/macros')), select: (r) => r.data })
  return (
    <Stack gap="md">
      <SectionHeader
        title="Macros"
        description="A template and actions that agents apply from the composer in one step"
        action={can('templates.manage') && <NewButton onClick={() => setEditing({ macro: null })}>New macro</NewButton>}
      />
      <ListTable
        label="Macros"
        columns={['Macro', 'Sends', 'Actions', '']}
        query={list}
        skeleton={200}
        empty="No macros yet."
        rows={list.data ?? []}
        row={(m) => <MacroRow key={m.id} macro={m} edit={() => setEditing({ macro: m })} />}
      />
      {editing && <MacroModal macro={editing.macro} close={() => setEditing(null)} />}
    </Stack>
  )
}

function MacroRow({ macro: m, edit }: { macro: Macro; edit: () => void }) {
  const can = useCan()
  const qc = useQueryClient()
  const templates = useTemplateOptions()
  const person = usePersonName()
  const teams = useTeamOptions()
  const teamName = (id: string) => teams.data?.find((t) => t.id === id)?.name ?? 'a team'
  const template = templates.data?.find((t) => t.id === m.template_id)
  const remove = useMutation({
    mutationFn: () => ok(api.DELETE('/api/v1/macros/{id}', { params: { path: { id: m.id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['macros'] }),
  })
  return (
    <Table.Tr aria-label={`Macro ${m.name}`}>
      <Table.Td>
        <Text fw={600} size="sm">
          {m.name}
        </Text>
      </Table.Td>
      <Table.Td>
        {m.template_id ? (
          <Group gap={4}>
            <Text size="sm">{template?.name ?? 'A template'}</Text>
            {template && !template.live_version && (
              <Badge color="orange" variant="light" size="sm">
                Not live
              </Badge>
            )}
          </Group>
        ) : (
          <Text size="sm" c="dimmed">
            No message
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {(m.actions as MacroAction[]).map((a, i) => (
            <Badge key={i} variant="light" color="gray">
              {actionText(a, (id) => person(id) ?? 'someone', teamName)}
            </Badge>
          ))}
        </Group>
      </Table.Td>
      <Table.Td>
        {can('templates.manage') && (
          <Group gap={4} wrap="nowrap" justify="flex-end">
            <Button size="xs" variant="default" onClick={edit} aria-label={`Edit ${m.name}`}>
              Edit
            </Button>
            <ConfirmButton
              label="Delete"
              ariaLabel={`Delete ${m.name}`}
              question={`Delete the macro ${m.name}? Cases it was applied to keep what it did.`}
              confirm="Delete macro"
              pending={remove.isPending}
              onConfirm={() => remove.mutate()}
            />
          </Group>
        )}
      </Table.Td>
    </Table.Tr>
  )
}

function MacroModal({ macro, close }: { macro: Macro | null; close: () => void }) {
  const templates = useTemplateOptions()
  const people = useAssignees()
  const teams = useTeamOptions()
  const [form, setForm] = useState(() => ({
    name: macro?.name ?? '',
    template: macro?.template_id ?? null,
    ...toActionForm((macro?.actions ?? []) as MacroAction[]),
  }))
  const save = useSave(
    (body: MacroBody) =>
      ok(
        macro
          ? api.PATCH('/api/v1/macros/{id}', { params: { path: { id: macro.id } }, body })
          : api.POST('/api/v1/macros', { body }),
      ),
    ['macros'],
    close,
  )
  const fields = fieldErrorsOf(save.error)
  return (
    <FormDialog
      opened
      onClose={close}
      title={macro ? `Edit ${macro.name}` : 'New macro'}
      submit={() => save.mutate({ name: form.name.trim(), template_id: form.template, actions: fromActionForm(form) })}
    >
      <TextInput
        label="Name"
        required
        value={form.name}
        onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
        error={fields.name}
      />
      <Select
        label="Template"
        description="Its live version goes to the customer when the macro is applied"
        placeholder="No message"
        clearable
        searchable
        data={(templates.data ?? []).map((t) => ({
          value: t.id,
          label: `${t.name} (${t.locale})${t.live_version ? '' : ' — not live yet'}`,
        }))}
        value={form.template}
        onChange={(template) => setForm({ ...form, template })}
        error={fields.template_id}
      />
      <Select
        label="Set status"
        placeholder="No change"
        clearable
        data={statuses.map((s) => ({ value: s, label: statusLabel(s) }))}
        value={form.status}
        onChange={(status) => setForm({ ...form, status })}
      />
      <TagsInput
        label="Add tags"
        description="Type one, then Enter"
        value={form.tags}
        onChange={(tags) => setForm({ ...form, tags })}
      />
      <Select
        label="Assign"
        allowDeselect={false}
        searchable
        data={[
          { value: 'none', label: 'No change' },
          { value: '', label: 'Unassign' },
          ...(people.data ?? []).map((p) => ({ value: p.id, label: p.name })),
        ]}
        value={form.assign}
        onChange={(assign) => assign !== null && setForm({ ...form, assign })}
      />
      <Select
        label="Move to team"
        description="The case's team; whoever has it keeps it"
        placeholder="No change"
        clearable
        searchable
        data={(teams.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
        value={form.team}
        onChange={(team) => setForm({ ...form, team })}
      />
      {errorAt(fields, 'actions') && (
        <Text size="sm" c="red">
          {errorAt(fields, 'actions')}
        </Text>
      )}
      <FormActions cancel={close} loading={save.isPending} disabled={!form.name.trim()}>
        {macro ? 'Save macro' : 'Create macro'}
      </FormActions>
    </FormDialog>
  )
}
