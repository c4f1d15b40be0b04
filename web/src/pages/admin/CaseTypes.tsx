import { Badge, Button, Code, Group, Select, Stack, Table, TagsInput, Text, Textarea, TextInput } from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ok, type Body } from '../../api/client'
import type { CaseType } from '../../api/types'
import { useCan } from '../../app/session'
import { humanize } from '../../components/format'
import { ConfirmButton } from '../../components/ConfirmButton'
import { errorAt, fieldErrorsOf } from '../../components/field-errors'
import { bindForm, FormActions, FormDialog, useSave } from '../../components/form'
import { ListTableWithHidden } from '../../components/lists'
import { NewButton, SectionHeader } from '../../components/SectionHeader'
import { priorityColor, priorityLabel, priorityOptions, type Priority } from '../../components/priority'
import { CustomFieldsEditor } from './CustomFields'
import { evidenceErrors, keyFrom, toFieldDefs, toFieldRows } from './fields'

type Editing = { type: CaseType | null } | null

export function CaseTypes() {
  const can = useCan()
  const [editing, setEditing] = useState<Editing>(null)
  const list = useQuery({
    queryKey: ['case-types', 'all'],
    queryFn: () => ok(api.GET('/api/v1/case-types', { params: { query: { include_archived: true } } })),
    select: (r) => r.data,
  })
  return (
    <Stack gap="md">
      <SectionHeader
        title="Case types"
        description="The kinds of case agents work, each with its default priority, custom fields and required evidence"
        action={
          can('cases.configure') && <NewButton onClick={() => setEditing({ type: null })}>New case type</NewButton>
        }
      />
      <ListTableWithHidden
        switchLabel="Show archived case types"
        hidden={(t) => !!t.archived_at}
        label="Case types"
        columns={['Case type', 'Key', 'Default priority', 'Custom fields', 'Required evidence', 'Status', '']}
        query={list}
        skeleton={300}
        empty={(archived) => `No case types${archived ? '' : ' in use'}.`}
        rows={list.data ?? []}
        row={(t) => <TypeRow key={t.key} type={t} edit={() => setEditing({ type: t })} />}
      />
      {editing && <TypeModal type={editing.type} close={() => setEditing(null)} />}
    </Stack>
  )
}

function TypeRow({ type: t, edit }: { type: CaseType; edit: () => void }) {
  const can = useCan()
  const qc = useQueryClient()
  const done = () => qc.invalidateQueries({ queryKey: ['case-types'] })
  const archive = useMutation({
    mutationFn: (archived: boolean) =>
      ok(api.PATCH('/api/v1/case-types/{key}', { params: { path: { key: t.key } }, body: { archived } })),
    onSuccess: done,
  })
  // A 409 case_type_in_use (it has cases) becomes a notification with the server's message.
  const remove = useMutation({
    mutationFn: () => ok(api.DELETE('/api/v1/case-types/{key}', { params: { path: { key: t.key } } })),
    onSuccess: done,
  })
  return (
    <Table.Tr c={t.archived_at ? 'dimmed' : undefined}>
      <Table.Td>
        <Text fw={600} size="sm">
          {t.label}
        </Text>
        {t.description && (
          <Text size="xs" c="dimmed" lineClamp={1}>
            {t.description}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Code>{t.key}</Code>
      </Table.Td>
      <Table.Td>
        <Badge variant="dot" miw="max-content" color={priorityColor(t.default_priority)}>
          {priorityLabel(t.default_priority)}
        </Badge>
      </Table.Td>
      <Table.Td>{t.custom_fields.length ? t.custom_fields.map((f) => f.label).join(', ') : '—'}</Table.Td>
      <Table.Td>{t.required_evidence.length ? t.required_evidence.map(humanize).join(', ') : '—'}</Table.Td>
      <Table.Td>
        <Group gap={4}>
          <Badge variant="light" color={t.archived_at ? 'gray' : 'teal'}>
            {t.archived_at ? 'Archived' : 'Active'}
          </Badge>
          {t.builtin && (
            <Badge variant="outline" color="gray">
              Built-in
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        {can('cases.configure') && (
          <Group gap={4} wrap="nowrap">
            <Button size="xs" variant="default" onClick={edit} aria-label={`Edit ${t.label}`}>
              Edit
            </Button>
            {t.archived_at ? (
              <Button
                size="xs"
                variant="subtle"
                onClick={() => archive.mutate(false)}
                loading={archive.isPending}
                aria-label={`Restore ${t.label}`}
              >
                Restore
              </Button>
            ) : (
              <ConfirmButton
                label="Archive"
                color="orange"
                ariaLabel={`Archive ${t.label}`}
                pending={archive.isPending}
                confirm="Archive"
                question={`Archive ${t.label}? Its cases stay; no new ones open with it, and exception policy rules that open it must be changed.`}
                onConfirm={() => archive.mutate(true)}
              />
            )}
            {!t.builtin && (
              <ConfirmButton
                label="Delete"
                ariaLabel={`Delete ${t.label}`}
                pending={remove.isPending}
                confirm="Delete"
                question={`Delete ${t.label}? Only a type no case uses can be deleted; archive it otherwise.`}
                onConfirm={() => remove.mutate()}
              />
            )}
          </Group>
        )}
      </Table.Td>
    </Table.Tr>
  )
}

function TypeModal({ type, close }: { type: CaseType | null; close: () => void }) {
  const [form, setForm] = useState({
    key: type?.key ?? '',
    label: type?.label ?? '',
    description: type?.description ?? '',
    priority: type?.default_priority ?? ('normal' as Priority),
    evidence: type?.required_evidence ?? [],
    fields: toFieldRows(type?.custom_fields ?? []),
  })
  const [local, setLocal] = useState<Record<string, string>>({})
  const save = useSave(
    ({ key, ...body }: Body<'/api/v1/case-types', 'post'>) =>
      ok(
        type
          ? api.PATCH('/api/v1/case-types/{key}', { params: { path: { key: type.key } }, body })
          : api.POST('/api/v1/case-types', { body: { key, ...body } }),
      ),
    ['case-types'],
    close,
  )
  // The service names custom-field errors without the `body/` prefix (`custom_fields/0/key`), which fieldErrors() reads as `0.key`.
  const server = Object.fromEntries(
    Object.entries(fieldErrorsOf(save.error)).map(([k, v]) => [/^\d/.test(k) ? `custom_fields.${k}` : k, v]),
  )
  const fields = { ...server, ...local }
  const field = bindForm(form, setForm, fields)
  const key = form.key.trim() || keyFrom(form.label)

  const submit = () => {
    const { defs, errors } = toFieldDefs(form.fields)
    const all = { ...errors, ...evidenceErrors(form.evidence) }
    setLocal(all)
    if (Object.keys(all).length) return
    save.mutate({
      key,
      label: form.label.trim(),
      description: form.description,
      default_priority: form.priority,
      custom_fields: defs,
      required_evidence: form.evidence,
    })
  }

  return (
    <FormDialog
      opened
      onClose={close}
      title={type ? `Edit ${type.label}` : 'New case type'}
      size="80rem"
      submit={submit}
    >
      <Group grow align="flex-start">
        <TextInput label="Label" required {...field.text('label')} />
        <TextInput
          label="Key"
          description={type ? 'Fixed once created' : 'Used by the API and rules; taken from the label if blank'}
          value={type ? type.key : form.key}
          placeholder={keyFrom(form.label)}
          readOnly={!!type}
          onChange={(e) => setForm({ ...form, key: e.currentTarget.value })}
          error={fields.key}
        />
        <Select
          label="Default priority"
          allowDeselect={false}
          data={priorityOptions}
          value={form.priority}
          onChange={(p) => p && setForm({ ...form, priority: p })}
          error={fields.default_priority}
        />
      </Group>
      <Textarea label="Description" autosize minRows={1} {...field.text('description')} />
      <TagsInput
        label="Required evidence"
        description="Keys of the documents a case of this type needs, e.g. proof_of_postage; type one, then Enter"
        {...field.value('evidence')}
        error={errorAt(fields, 'required_evidence')}
      />
      <CustomFieldsEditor rows={form.fields} onChange={(rows) => setForm({ ...form, fields: rows })} errors={fields} />
      {errorAt(fields, 'custom_fields') && !Object.keys(fields).some((k) => /^custom_fields\.\d+\./.test(k)) && (
        <Text size="sm" c="red">
          {errorAt(fields, 'custom_fields')}
        </Text>
      )}
      <FormActions cancel={close} loading={save.isPending} disabled={!form.label.trim()}>
        {type ? 'Save case type' : 'Create case type'}
      </FormActions>
    </FormDialog>
  )
}
