import { Badge, Button, Code, Group, Select, Stack, Table, Text, Textarea, TextInput } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ok, type Body } from '../../api/client'
import { useCan } from '../../app/session'
import { humanize } from '../../components/format'
import { FormActions, FormDialog, useCreateForm } from '../../components/form'
import { ListTableWithHidden } from '../../components/lists'
import { NewButton, SectionHeader } from '../../components/SectionHeader'
import { TemplateEditor } from './TemplateEditor'
import { draftState, type Template } from './templates'

type CreateBody = Body<'/api/v1/message-templates', 'post'>
const channels = ['email', 'sms', 'whatsapp'] as const

/** Message templates by purpose × channel × locale, with their live version and where each draft stands. */
export function Templates() {
  const can = useCan()
  const [open, setOpen] = useState<string | null>(null)
  const [creating, setCreating] = useState(false)
  const list = useQuery({
    queryKey: ['message-templates', 'admin'],
    queryFn: () => ok(api.GET('/api/v1/message-templates', { params: { query: { archived: true } } })),
    select: (r) => r.data,
  })
  return (
    <Stack gap="md">
      <SectionHeader
        title="Templates"
        description="What customers receive, in Liquid: drafts are saved as versions; automatic messages send only the approved live version"
        action={can('templates.manage') && <NewButton onClick={() => setCreating(true)}>New template</NewButton>}
      />
      <ListTableWithHidden
        switchLabel="Show archived templates"
        hidden={(t) => !!t.archived_at}
        label="Templates"
        columns={['Template', 'Purpose', 'Channel', 'Locale', 'Live', 'Draft', '']}
        query={list}
        skeleton={300}
        empty={(archived) => `No templates${archived ? '' : ' in use'}.`}
        rows={list.data ?? []}
        row={(t) => <TemplateRow key={t.id} template={t} open={() => setOpen(t.id)} />}
      />
      {open && <TemplateEditor id={open} close={() => setOpen(null)} />}
      {creating && <CreateTemplate close={() => setCreating(false)} created={setOpen} />}
    </Stack>
  )
}

function TemplateRow({ template: t, open }: { template: Template; open: () => void }) {
  const draft = draftState(t)
  return (
    <Table.Tr c={t.archived_at ? 'dimmed' : undefined} aria-label={`Template ${t.name}`}>
      <Table.Td>
        <Text fw={600} size="sm">
          {t.name}
        </Text>
      </Table.Td>
      <Table.Td>
        <Code>{t.purpose}</Code>
      </Table.Td>
      <Table.Td>{humanize(t.channel)}</Table.Td>
      <Table.Td>{t.locale}</Table.Td>
      <Table.Td>
        {t.archived_at ? (
          <Badge variant="light" color="gray">
            Archived
          </Badge>
        ) : (
          <Badge variant="light" color={t.live_version ? 'teal' : 'gray'}>
            {t.live_version ? `Live: v${t.live_version}` : 'Not live'}
          </Badge>
        )}
      </Table.Td>
      <Table.Td>
        <Badge variant="dot" color={draft.color} miw="max-content">
          {draft.label}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Button size="xs" variant="default" onClick={open} aria-label={`Open ${t.name}`}>
          Open
        </Button>
      </Table.Td>
    </Table.Tr>
  )
}

function CreateTemplate({ close, created }: { close: () => void; created: (id: string) => void }) {
  const { form, setForm, save, field } = useCreateForm(
    { purpose: '', channel: 'email' as CreateBody['channel'], locale: 'en', name: '', subject: '', text: '' },
    {
      call: (body: CreateBody) => ok(api.POST('/api/v1/message-templates', { body })),
      invalidates: ['message-templates'],
      close,
      created: (t) => created(t.id),
    },
  )
  return (
    <FormDialog
      opened
      onClose={close}
      title="New template"
      size="lg"
      submit={() => save.mutate({ ...form, purpose: form.purpose.trim(), name: form.name.trim() })}
    >
      <TextInput label="Name" required {...field.text('name')} />
      <Group grow align="flex-start">
        <TextInput
          label="Purpose"
          description="Lower case: acknowledgement, update, customs_hold…"
          required
          {...field.text('purpose')}
        />
        <Select
          label="Channel"
          allowDeselect={false}
          data={channels.map((c) => ({ value: c, label: humanize(c) }))}
          value={form.channel ?? 'email'}
          onChange={(c) => c && setForm({ ...form, channel: c })}
        />
        <TextInput label="Locale" description="en, de, de-AT" required {...field.text('locale')} />
      </Group>
      <TextInput label="Subject" {...field.text('subject')} />
      <Textarea label="Text" autosize minRows={3} {...field.text('text')} />
      <Text size="xs" c="dimmed">
        One template per purpose, channel and locale; it starts as a draft you can preview, then save as a version.
      </Text>
      <FormActions cancel={close} loading={save.isPending} disabled={!form.name.trim() || !form.purpose.trim()}>
        Create template
      </FormActions>
    </FormDialog>
  )
}
