import {
  Alert,
  Badge,
  Button,
  Group,
  Paper,
  Select,
  Stack,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { api, type Body, ok, type Reply } from '../../api/client'
import { useCan } from '../../app/session'
import { fieldErrorsOf, generalError } from '../../components/field-errors'
import { FoldedText } from '../../components/FoldedText'
import { Dialog, FormActions } from '../../components/form'
import { dateTime } from '../../components/format'
import { deliveryOf } from './delivery'
import { type Rendered, TemplatePicker } from './TemplatePicker'

type SideList = Reply<'/api/v1/cases/{id}/side-conversations', 'get'>
type Side = SideList['data'][number]
type OpenBody = Body<'/api/v1/cases/{id}/side-conversations', 'post'>

const counterparties: { value: Side['counterparty_kind']; label: string }[] = [
  { value: 'carrier', label: 'Carrier' },
  { value: 'warehouse', label: 'Warehouse' },
  { value: '3pl', label: '3PL' },
  { value: 'supplier', label: 'Supplier' },
  { value: 'other', label: 'Other' },
]
const statusWords: Record<Side['status'], { label: string; color: string }> = {
  open: { label: 'Waiting on them', color: 'gray.8' },
  answered: { label: 'Answered', color: 'grape.9' },
  closed: { label: 'Closed', color: 'dark.6' },
}
const who = (s: Side) =>
  s.counterparty_name || counterparties.find((c) => c.value === s.counterparty_kind)?.label || s.counterparty_kind

const sideKey = (caseId: string) => ['case', caseId, 'side-conversations']
export const useSideConversations = (caseId: string) =>
  useQuery({
    queryKey: sideKey(caseId),
    queryFn: () => ok(api.GET('/api/v1/cases/{id}/side-conversations', { params: { path: { id: caseId } } })),
  })

/** The case header's word on its open side conversations: "2 side conversations · 1 answered"; opens the panel. */
export function SideConversationsBadge({ caseId, onOpen }: { caseId: string; onOpen: () => void }) {
  const list = useSideConversations(caseId)
  const counts = list.data?.counts
  const active = counts ? counts.open + counts.answered : 0
  // Closed ones need nobody: the header counts those still going.
  if (!counts || active === 0) return null
  const label = `${active} side conversation${active === 1 ? '' : 's'}${counts.answered ? ` · ${counts.answered} answered` : ''}`
  return (
    <Button size="compact-xs" variant="light" color={counts.answered ? 'grape' : 'gray'} onClick={onOpen}>
      {label}
    </Button>
  )
}

/**
 * The case's side conversations with third parties (carriers, warehouses): each with its counterparty and status,
 * its thread to read and answer, closed and reopened here. The customer never sees any of it.
 */
export function SideConversationsPanel({
  caseId,
  startOpen,
  onStart,
}: {
  caseId: string
  startOpen: boolean
  onStart: (open: boolean) => void
}) {
  const can = useCan()
  const sends = can('messages.send')
  const list = useSideConversations(caseId)
  const [openId, setOpenId] = useState<string | null>(null)
  const rows = list.data?.data ?? []
  return (
    <Paper withBorder p="md" id="side-conversations" aria-label="Side conversations" component="section" tabIndex={-1}>
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h5">
          Side conversations
        </Title>
        {sends && (
          <Button size="compact-xs" color="grape" onClick={() => onStart(true)}>
            New side conversation
          </Button>
        )}
      </Group>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          None yet: write to a carrier, a warehouse or a supplier about this case. The customer never sees it.
        </Text>
      ) : (
        <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {rows.map((s) => (
            <li key={s.id} aria-label={`Side conversation with ${who(s)}: ${statusWords[s.status].label}`}>
              <UnstyledButton
                w="100%"
                aria-expanded={openId === s.id}
                onClick={() => setOpenId(openId === s.id ? null : s.id)}
              >
                <Group justify="space-between" wrap="nowrap" gap="xs">
                  <div style={{ minWidth: 0 }}>
                    <Text size="sm" fw={600} truncate>
                      {who(s)}
                    </Text>
                    <Text size="xs" c="dimmed" truncate>
                      {s.subject}
                    </Text>
                  </div>
                  <Badge size="sm" color={statusWords[s.status].color} variant="filled">
                    {statusWords[s.status].label}
                  </Badge>
                </Group>
              </UnstyledButton>
              {openId === s.id && <SideThread side={s} sends={sends} />}
            </li>
          ))}
        </Stack>
      )}
      <NewSideConversation caseId={caseId} opened={startOpen} close={() => onStart(false)} />
    </Paper>
  )
}

/** One side conversation's thread, oldest first, with a reply box and close / reopen. */
function SideThread({ side, sends }: { side: Side; sends: boolean }) {
  const qc = useQueryClient()
  const thread = useQuery({
    queryKey: ['side-conversation', side.id, side.updated_at],
    queryFn: () => ok(api.GET('/api/v1/side-conversations/{id}', { params: { path: { id: side.id } } })),
  })
  const [text, setText] = useState('')
  const refresh = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: ['case', side.case_id] }),
      qc.invalidateQueries({ queryKey: ['side-conversation', side.id] }),
    ])
  const reply = useMutation({
    meta: { inline: true },
    mutationFn: (body: { text: string }) =>
      ok(api.POST('/api/v1/side-conversations/{id}/messages', { params: { path: { id: side.id } }, body })),
    onSuccess: () => {
      setText('')
      return refresh()
    },
  })
  const toggle = useMutation({
    mutationFn: () =>
      ok(
        side.status === 'closed'
          ? api.POST('/api/v1/side-conversations/{id}/reopen', { params: { path: { id: side.id } } })
          : api.POST('/api/v1/side-conversations/{id}/close', { params: { path: { id: side.id } } }),
      ),
    onSuccess: refresh,
  })
  return (
    <Stack gap="xs" mt="xs" pl="sm" style={{ borderLeft: '3px solid var(--mantine-color-grape-6)' }}>
      <Text size="xs" c="dimmed">
        With {side.participants.map((p) => p.address).join(', ')}
      </Text>
      <Stack gap={6} component="ol" aria-label={`Thread with ${who(side)}`} style={{ padding: 0, margin: 0 }}>
        {(thread.data?.messages ?? []).map((m) => (
          <Paper
            key={m.id}
            component="li"
            p="xs"
            withBorder
            bg={m.direction === 'in' ? 'var(--mantine-color-grape-light)' : undefined}
            style={{ listStyle: 'none' }}
          >
            <Group justify="space-between" gap="xs">
              <Text size="xs" fw={600}>
                {m.direction === 'in' ? (m.from.name ?? m.from.address) : 'Us'}
              </Text>
              <Group gap={4}>
                <Badge size="xs" variant="outline" color={deliveryOf(m.status).color}>
                  {deliveryOf(m.status).label}
                </Badge>
                <Text size="xs" c="dimmed">
                  {dateTime(m.created_at)}
                </Text>
              </Group>
            </Group>
            <FoldedText text={m.reply_text} quoted={m.quoted_text} />
          </Paper>
        ))}
      </Stack>
      {sends && (
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault()
            if (text.trim()) reply.mutate({ text: text.trim() })
          }}
        >
          <Stack gap={6}>
            <Textarea
              label={`Reply to ${who(side)}`}
              autosize
              minRows={2}
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              error={fieldErrorsOf(reply.error).text}
            />
            <Group justify="flex-end" gap="xs">
              <Button size="xs" variant="default" loading={toggle.isPending} onClick={() => toggle.mutate()}>
                {side.status === 'closed' ? 'Reopen' : 'Close'}
              </Button>
              <Button size="xs" color="grape" type="submit" loading={reply.isPending} disabled={!text.trim()}>
                Send to {who(side)}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Stack>
  )
}

const blank = { kind: 'carrier' as Side['counterparty_kind'], name: '', to: [] as string[], subject: '', text: '' }

/** Start a side conversation: who it is with, to whom, and a template rendered for the case (previewed) or text. */
export function NewSideConversation({ caseId, opened, close }: { caseId: string; opened: boolean; close: () => void }) {
  const qc = useQueryClient()
  const [form, setForm] = useState(blank)
  const [template, setTemplate] = useState<Rendered | null>(null)
  const start = useMutation({
    meta: { inline: true },
    mutationFn: (body: OpenBody) =>
      ok(api.POST('/api/v1/cases/{id}/side-conversations', { params: { path: { id: caseId } }, body })),
    onSuccess: () => {
      setForm(blank)
      setTemplate(null)
      close()
      return qc.invalidateQueries({ queryKey: ['case', caseId] })
    },
  })
  const fields = fieldErrorsOf(start.error)
  const general = generalError(start.error, fields)
  const toError =
    fields.to ??
    (Object.keys(fields).some((k) => k.startsWith('to.')) ? 'Each address must be an email address' : undefined)
  const submit = () => {
    const untouched = template !== null && template.text === form.text
    start.mutate({
      counterparty_kind: form.kind,
      ...(form.name.trim() ? { counterparty_name: form.name.trim() } : {}),
      to: form.to.map((address) => ({ address })),
      ...(form.subject.trim() ? { subject: form.subject.trim() } : {}),
      text: form.text,
      ...(template ? { template_id: template.templateId } : {}),
      ...(template?.version ? { template_version: template.version } : {}),
      ...(template && untouched && template.html ? { html: template.html } : {}),
    })
  }
  return (
    <Dialog opened={opened} onClose={close} title="New side conversation" size="lg">
      <Stack
        component="form"
        gap="xs"
        onSubmit={(e: FormEvent) => {
          e.preventDefault()
          submit()
        }}
      >
        <Text size="xs" c="dimmed">
          An email to a third party about this case. Their reply comes back here; the customer never sees it.
        </Text>
        <Group grow>
          <Select
            label="With"
            data={counterparties}
            allowDeselect={false}
            value={form.kind}
            onChange={(kind) => kind && setForm((f) => ({ ...f, kind: kind as Side['counterparty_kind'] }))}
          />
          <TextInput
            label="Name"
            placeholder="e.g. DHL claims desk"
            value={form.name}
            onChange={(e) => {
              const name = e.currentTarget.value
              setForm((f) => ({ ...f, name }))
            }}
            error={fields.counterparty_name}
          />
        </Group>
        <TagsInput
          label="To"
          description="Email addresses; Enter or a comma after each"
          withAsterisk
          splitChars={[',', ' ', ';']}
          value={form.to}
          onChange={(to) => setForm((f) => ({ ...f, to }))}
          error={toError}
        />
        <TemplatePicker
          caseId={caseId}
          onUse={(r) => {
            setTemplate(r)
            setForm((f) => ({ ...f, subject: r.subject, text: r.text }))
          }}
        />
        <TextInput
          label="Subject"
          placeholder="The case's subject and number"
          value={form.subject}
          onChange={(e) => {
            const subject = e.currentTarget.value
            setForm((f) => ({ ...f, subject }))
          }}
          error={fields.subject}
        />
        <Textarea
          label="Email"
          autosize
          minRows={5}
          value={form.text}
          onChange={(e) => {
            const text = e.currentTarget.value
            setForm((f) => ({ ...f, text }))
          }}
          error={fields.text}
        />
        {general && (
          <Alert color="red" role="alert" title="Not sent">
            {general}
          </Alert>
        )}
        <FormActions cancel={close} loading={start.isPending} disabled={!form.text.trim()} color="grape">
          Send side email
        </FormActions>
      </Stack>
    </Dialog>
  )
}
