import { Anchor, Badge, Box, Button, Card, Code, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ok } from '../../api/client'
import type { Message, TimelineEntry } from '../../api/types'
import { usePersonName } from '../../app/directory'
import { useCan } from '../../app/session'
import { ErrorState } from '../../components/ErrorState'
import { FoldedText, ShowHide } from '../../components/FoldedText'
import { dateTime, timeAgo } from '../../components/format'
import { MessageHtml } from '../../components/MessageHtml'
import { LoadMore, usePaged } from '../../components/paged'
import { NoteText } from '../../components/NoteText'
import { Redacted } from '../../components/Redacted'
import { Composer } from './Composer'
import { deliveryOf, kinds } from './delivery'
import { useRuleNames } from '../rules/names'

type Item = { at: string; message: Message } | { at: string; note: TimelineEntry }

/**
 * The case's conversation: its messages (customer replies, public replies, side conversations) and its internal
 * notes, oldest first, each kind in its own colour and label; the composer below.
 */
export function Conversation({
  caseId,
  customerEmail,
  canWrite,
  onWriting,
  onNewSide,
}: {
  caseId: string
  customerEmail: string | null
  canWrite: boolean
  onWriting: (writing: boolean) => void
  /** Opens the dialog that starts a side conversation */
  onNewSide: () => void
}) {
  const { query: messages, rows } = usePaged(['case', caseId, 'messages'], (cursor) =>
    ok(
      api.GET('/api/v1/cases/{id}/messages', {
        params: { path: { id: caseId }, query: { limit: 200, ...(cursor ? { cursor } : {}) } },
      }),
    ),
  )
  // The Reply-To of the case's emails: mail to it lands here (the README's "Write to a case as a customer").
  const replyTo = messages.data?.pages[0]?.reply_address
  const notes = useQuery({
    queryKey: ['case', caseId, 'notes'],
    queryFn: () =>
      ok(
        api.GET('/api/v1/cases/{id}/timeline', {
          params: { path: { id: caseId }, query: { type: 'note', order: 'asc', limit: 200 } },
        }),
      ),
  })
  const items: Item[] = [
    ...rows.map((m) => ({ at: m.created_at, message: m })),
    ...(notes.data?.data ?? []).map((n) => ({ at: n.occurred_at, note: n })),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="sm">
        Conversation
      </Title>
      {(messages.isPending || notes.isPending) && <Skeleton h={120} />}
      {messages.isError && <ErrorState error={messages.error} retry={() => void messages.refetch()} />}
      {messages.isSuccess && notes.isSuccess && !items.length && (
        <Text size="sm" c="dimmed">
          No messages yet
        </Text>
      )}
      <Stack gap="sm" role="list" aria-label="Conversation">
        {items.map((i) =>
          'message' in i ? <MessageItem key={i.message.id} m={i.message} /> : <NoteItem key={i.note.id} e={i.note} />,
        )}
      </Stack>
      <LoadMore query={messages} mt="xs">
        Load later messages
      </LoadMore>
      {replyTo && (
        <Text size="xs" c="dimmed" mt="xs">
          Customer replies go to <Code>{replyTo}</Code>
        </Text>
      )}
      {canWrite && (
        <Composer
          caseId={caseId}
          customerEmail={customerEmail}
          messages={rows}
          onWriting={onWriting}
          onNewSide={onNewSide}
        />
      )}
    </Card>
  )
}

/** Which of the three kinds a message is: a public one is the customer's conversation, the rest side conversation. */
const kindOf = (m: Message) => (m.visibility === 'public' ? kinds.reply : kinds.side)

function MessageItem({ m }: { m: Message }) {
  const name = usePersonName()
  const ruleNames = useRuleNames()
  const kind = kindOf(m)
  const inbound = m.direction === 'in'
  const author =
    m.author.type === 'agent'
      ? (name(m.author.id) ?? 'An agent')
      : m.author.type === 'customer' || m.author.type === 'contact'
        ? (m.from.name ?? m.from.address)
        : m.author.type === 'rule'
          ? m.author.id && ruleNames[m.author.id]
            ? `Rule “${ruleNames[m.author.id]}”`
            : 'An automation rule'
          : 'Claimdesk (automatic)'
  const label =
    m.visibility === 'public' ? (inbound ? 'From the customer' : 'Reply to customer') : `${kinds.side.label}`
  const to = [...m.to, ...m.cc].map((a) => a.address).join(', ')
  return (
    <Paper
      role="listitem"
      aria-label={`${label}: ${m.subject || '(no subject)'}`}
      data-message-id={m.id}
      data-visibility={m.visibility}
      data-direction={m.direction}
      withBorder
      p="sm"
      ml={inbound ? 0 : 'lg'}
      mr={inbound ? 'lg' : 0}
      style={{ borderLeft: `4px solid var(--mantine-color-${kind.color}-6)` }}
      bg={m.visibility === 'side' ? 'var(--mantine-color-grape-light)' : undefined}
    >
      <Group justify="space-between" align="flex-start" gap="xs">
        <Group gap={6}>
          <Badge color={kind.color} variant={inbound ? 'outline' : 'filled'} size="sm">
            {label}
          </Badge>
          <Text size="sm" fw={600}>
            {author}
          </Text>
          <Text size="xs" c="dimmed">
            {channelLabel(m.channel)}
            {inbound ? ` from ${m.from.address}` : to ? ` to ${to}` : ''}
          </Text>
        </Group>
        <Text size="xs" c="dimmed" title={dateTime(m.created_at)}>
          {timeAgo(m.created_at)}
        </Text>
      </Group>
      {m.subject && !m.redacted_at && (
        <Text size="sm" fw={600} mt={4}>
          {m.subject}
        </Text>
      )}
      <Box mt={4}>
        <MessageBody m={m} />
      </Box>
      {m.attachments.length > 0 && (
        <Stack gap={2} mt="xs" aria-label="Attachments">
          {m.attachments.map((a) => (
            <Text size="xs" key={a.id}>
              📎 {a.file_name}
              {a.refused_reason ? ` — not kept: ${a.refused_reason}` : ''}
            </Text>
          ))}
        </Stack>
      )}
      {m.robot_reason && (
        <Text size="xs" c="dimmed" mt={4}>
          Automatic mail ({m.robot_reason}): recorded, never answered automatically.
        </Text>
      )}
      <Delivery m={m} />
    </Paper>
  )
}

const channelLabel = (c: string) =>
  ({ email: 'Email', portal: 'Status page', sms: 'SMS', whatsapp: 'WhatsApp' })[c] ?? c

/**
 * The body. A received message shows its reply with the quoted history and signature folded under a toggle, and
 * its HTML as sent (sanitised) one click away; what we sent shows as it went out, its HTML sanitised.
 */
function MessageBody({ m }: { m: Message }) {
  const [original, setOriginal] = useState(false)
  if (m.redacted_at) return <Redacted at={m.redacted_at} why="the customer's data was erased at their request." />
  const label = `Message: ${m.subject || '(no subject)'}`
  const html = m.html
  if (html && (m.direction === 'out' || !m.text.trim())) return <MessageHtml html={html} text={m.text} label={label} />
  return (
    <>
      <FoldedText text={m.reply_text} quoted={m.quoted_text} />
      {html && (
        <>
          <ShowHide open={original} onChange={setOriginal} what={['View original', 'Hide original']} />
          {original && (
            <Paper withBorder p="xs" mt={4}>
              <MessageHtml html={html} text={m.text} label={label} />
            </Paper>
          )}
        </>
      )}
    </>
  )
}

/** Delivery state with its reason, a retry where the server takes one, and the original .eml. */
function Delivery({ m }: { m: Message }) {
  const can = useCan()
  const qc = useQueryClient()
  const d = deliveryOf(m.status)
  const retry = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/messages/{id}/retry', { params: { path: { id: m.id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['case', m.case_id] }),
  })
  const reason =
    m.status_reason ??
    m.recipients
      .filter((r) => r.smtp_reply && (r.status === 'failed' || r.status === 'bounced'))
      .map((r) => `${r.address}: ${r.smtp_reply}`)
      .join('; ')
  const inbound = m.direction === 'in'
  // As the server takes a retry: a bounced email may go again; nothing the customer's erasure reached does.
  const retryable = (d.retry || (m.status === 'bounced' && m.channel === 'email')) && !inbound && !m.redacted_at
  return (
    <Group gap="xs" mt="xs" justify="space-between">
      <Group gap={6}>
        {!inbound && (
          <Badge
            color={d.color}
            variant={d.color.startsWith('gray') ? 'default' : 'light'}
            size="sm"
            aria-label={`Delivery: ${d.label}`}
          >
            {d.label}
          </Badge>
        )}
        {reason && (
          <Text size="xs" c={['failed', 'held', 'bounced'].includes(m.status) ? 'red' : 'dimmed'}>
            {reason}
          </Text>
        )}
      </Group>
      <Group gap="xs">
        {retryable && can('messages.send') && (
          <Button
            size="compact-xs"
            variant="light"
            color="red"
            loading={retry.isPending}
            onClick={() => retry.mutate()}
          >
            Retry
          </Button>
        )}
        {m.has_raw && !m.redacted_at && (
          <Anchor size="xs" href={`/api/v1/messages/${m.id}/raw`} download={`message-${m.id}.eml`}>
            Download original (.eml)
          </Anchor>
        )}
      </Group>
    </Group>
  )
}

function NoteItem({ e }: { e: TimelineEntry }) {
  const name = usePersonName()
  return (
    <Paper
      role="listitem"
      aria-label={`${kinds.note.label} by ${name(e.actor.id) ?? 'someone'}`}
      data-note-id={e.id}
      withBorder
      p="sm"
      bg="var(--mantine-color-yellow-light)"
      style={{ borderLeft: '4px dashed var(--mantine-color-yellow-7)' }}
    >
      <Group justify="space-between" gap="xs">
        <Group gap={6}>
          <Badge color="yellow" c="dark" size="sm">
            {kinds.note.label}
          </Badge>
          <Text size="sm" fw={600}>
            {name(e.actor.id) ?? 'Someone'}
          </Text>
          <Text size="xs" c="dimmed">
            only your workspace sees this
          </Text>
        </Group>
        <Text size="xs" c="dimmed" title={dateTime(e.occurred_at)}>
          {timeAgo(e.occurred_at)}
        </Text>
      </Group>
      <NoteText e={e} mt={4} />
    </Paper>
  )
}
