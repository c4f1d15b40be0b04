import {
  Alert,
  Badge,
  Box,
  Button,
  Card,
  Center,
  Container,
  Group,
  Loader,
  Paper,
  Stack,
  Text,
  Textarea,
  Timeline,
  Title,
} from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { useParams } from 'react-router'
import { api, ApiError, ok } from '../api/client'
import { FoldedText } from '../components/FoldedText'
import { LinkProblem } from '../components/LinkProblem'
import { Redacted } from '../components/Redacted'
import { dateTime } from '../components/format'

const tone: Record<string, string> = { resolved: 'teal', closed: 'gray', waiting_customer: 'yellow' }

/** The customer's case status page, reached by a signed link (no account): phone first. */
export default function Portal() {
  const { token = '' } = useParams()
  const view = useQuery({
    queryKey: ['portal', token],
    queryFn: () => ok(api.GET('/api/v1/portal/{token}/case', { params: { path: { token } } })),
    retry: false,
    refetchInterval: 60_000,
  })
  if (view.isPending)
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    )
  if (view.isError)
    return (
      <LinkProblem
        error={view.error}
        expired={{
          title: 'This link has expired',
          text: 'Links to this page last a limited time. Ask the store that sent it to you for a new link.',
        }}
        invalid={{
          title: 'This link does not work',
          text: 'Check that the whole link was copied. If it still does not work, ask the store that sent it to you for a new link.',
        }}
      />
    )
  const c = view.data
  return (
    <Container size={560} px="sm" py="md">
      <Stack gap="md">
        <Text fw={700} size="lg">
          {c.store}
        </Text>
        <Card withBorder padding="lg">
          <Text size="sm" c="dimmed">
            {c.topic} · {c.number}
          </Text>
          <Title order={1} size="h2" mt={4}>
            {c.status_text}
          </Title>
          {c.outcome && (
            <Badge mt="sm" size="lg" color={tone[c.status] ?? 'indigo'} variant="light">
              {c.outcome}
            </Badge>
          )}
          <Text size="sm" c="dimmed" mt="sm">
            Opened {dateTime(c.opened_at)} · last update {dateTime(c.updated_at)}
          </Text>
        </Card>
        {c.shipments.map((s, i) => (
          <Card withBorder padding="lg" key={i}>
            <Text size="sm" c="dimmed">
              {s.carrier ?? 'Your parcel'}
              {s.tracking_number ? ` · ${s.tracking_number}` : ''}
            </Text>
            <Title order={2} size="h3" mt={4}>
              {s.status_text}
            </Title>
            {s.estimated_delivery_at && (
              <Text size="sm" mt={4}>
                Expected {dateTime(s.estimated_delivery_at)}
              </Text>
            )}
            <Box mt="md">
              <Timeline bulletSize={12} lineWidth={2} aria-label="Parcel tracking">
                {s.events.map((e, j) => (
                  <Timeline.Item
                    key={j}
                    title={
                      <Text fw={600} size="sm">
                        {e.text}
                      </Text>
                    }
                  >
                    {e.detail && <Text size="sm">{e.detail}</Text>}
                    <Text size="xs" c="dimmed">
                      {dateTime(e.at)}
                      {e.place ? ` · ${e.place}` : ''}
                    </Text>
                  </Timeline.Item>
                ))}
              </Timeline>
            </Box>
          </Card>
        ))}
        <PortalConversation token={token} store={c.store} />
        <Text size="xs" c="dimmed" ta="center">
          This page updates by itself. Keep the link to yourself: anyone with it can see this page.
        </Text>
      </Stack>
    </Container>
  )
}

/** The public conversation with the store, and a box to answer in (an answer is a message on the case). */
function PortalConversation({ token, store }: { token: string; store: string }) {
  const qc = useQueryClient()
  const [text, setText] = useState('')
  const conversation = useQuery({
    queryKey: ['portal', token, 'conversation'],
    queryFn: () => ok(api.GET('/api/v1/portal/{token}/conversation', { params: { path: { token } } })),
    retry: false,
    refetchInterval: 60_000,
  })
  const reply = useMutation({
    meta: { inline: true },
    mutationFn: (body: string) =>
      ok(api.POST('/api/v1/portal/{token}/messages', { params: { path: { token } }, body: { text: body } })),
    onSuccess: () => {
      setText('')
      return qc.invalidateQueries({ queryKey: ['portal', token] })
    },
  })
  const messages = conversation.data?.data ?? []
  const error = reply.error instanceof ApiError ? reply.error : null
  return (
    <Card withBorder padding="lg">
      <Title order={2} size="h3">
        Messages
      </Title>
      {conversation.isError && (
        <Text size="sm" c="red" mt="xs">
          The messages could not be loaded. Try again in a moment.
        </Text>
      )}
      {conversation.isSuccess && !messages.length && (
        <Text size="sm" c="dimmed" mt="xs">
          No messages yet. Write below if you have a question.
        </Text>
      )}
      <Stack gap="sm" mt="sm" role="list" aria-label="Messages">
        {messages.map((msg) => (
          <Paper
            key={msg.id}
            role="listitem"
            aria-label={msg.from === 'you' ? 'You wrote' : `${store} wrote`}
            withBorder
            p="sm"
            ml={msg.from === 'you' ? 'xl' : 0}
            mr={msg.from === 'you' ? 0 : 'xl'}
            bg={msg.from === 'you' ? 'var(--mantine-color-blue-light)' : undefined}
          >
            <Group justify="space-between" gap="xs">
              <Text size="sm" fw={600}>
                {msg.from === 'you' ? 'You' : store}
              </Text>
              <Text size="xs" c="dimmed">
                {dateTime(msg.at)}
              </Text>
            </Group>
            <Box mt={4}>
              {msg.redacted_at ? (
                <Redacted at={msg.redacted_at} why="erased at your request." />
              ) : (
                <FoldedText text={msg.text} quoted={msg.quoted_text} />
              )}
            </Box>
            {msg.attachments.map((a, i) => (
              <Text size="xs" c="dimmed" key={i}>
                Attachment: {a.file_name}
              </Text>
            ))}
          </Paper>
        ))}
      </Stack>
      <Stack
        component="form"
        gap="xs"
        mt="md"
        onSubmit={(e: FormEvent) => {
          e.preventDefault()
          if (text.trim()) reply.mutate(text.trim())
        }}
      >
        <Textarea
          label="Write to us"
          autosize
          minRows={3}
          maxLength={5000}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          error={error?.fieldErrors().text}
        />
        {error && !error.fieldErrors().text && (
          <Alert color="red" role="alert">
            {error.code === 'rate_limited' || error.status === 429
              ? 'You have sent several messages in a short time. Please wait a little before writing again.'
              : error.message}
          </Alert>
        )}
        {reply.isSuccess && (
          <Text size="sm" c="teal.9" role="status">
            Sent. We will answer here and by email.
          </Text>
        )}
        <Button type="submit" fullWidth loading={reply.isPending} disabled={!text.trim()}>
          Send message
        </Button>
      </Stack>
    </Card>
  )
}
