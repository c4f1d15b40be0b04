import {
  Alert,
  Badge,
  Button,
  Card,
  Center,
  Container,
  Group,
  List,
  Loader,
  Progress,
  Stack,
  Text,
  Title,
} from '@mantine/core'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useId, useState, type FormEvent } from 'react'
import { useParams } from 'react-router'
import { api, ApiError, ok, sendForm, type Reply } from '../api/client'
import { dateTime } from '../components/format'
import { LinkProblem } from '../components/LinkProblem'

type View = Reply<'/api/v1/portal/evidence/{token}', 'get'>
type Wanted = View['types'][number]

/** The customer's evidence upload page, reached by a signed link from an evidence request: phone first, no account. */
export default function EvidenceUpload() {
  const { token = '' } = useParams()
  const view = useQuery({
    queryKey: ['portal-evidence', token],
    queryFn: () => ok(api.GET('/api/v1/portal/evidence/{token}', { params: { path: { token } } })),
    retry: false,
  })
  if (view.isPending)
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    )
  // The last file completes the request and closes its link: that is a thank-you, not a problem.
  if (view.isError && view.error instanceof ApiError && view.error.code === 'link_completed') return <ThankYou />
  if (view.isError)
    return (
      <LinkProblem
        error={view.error}
        expired={{
          title: 'This link has expired',
          text: 'The time to send these files has passed. Reply to the message with the link, or ask the store for a new link.',
        }}
        closed={{
          title: 'This link is closed',
          text: 'The store no longer needs these files. Nothing more to do here.',
        }}
        invalid={{
          title: 'This link does not work',
          text: 'Check that the whole link was copied. If it still does not work, ask the store that sent it to you for a new link.',
        }}
      />
    )
  const v = view.data
  const label = (key: string) => v.types.find((t) => t.key === key)?.label ?? key
  return (
    <Container size={560} px="sm" py="md">
      <Stack gap="md">
        <Text fw={700} size="lg">
          {v.store}
        </Text>
        <Card withBorder padding="lg">
          <Text size="sm" c="dimmed">
            {v.case_number}
          </Text>
          <Title order={1} size="h2" mt={4}>
            Please send us a few files
          </Title>
          {v.message && (
            <Text mt="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {v.message}
            </Text>
          )}
          <Text size="sm" mt="sm" c={v.overdue ? 'red.8' : undefined}>
            {v.overdue ? 'These were due by' : 'Please send them by'} <b>{dateTime(v.due_at)}</b>.
          </Text>
        </Card>
        {v.types.map((t) => (
          <WantedFiles key={t.key} token={token} wanted={t} />
        ))}
        <Received items={v.received} label={label} />
      </Stack>
    </Container>
  )
}

type Sending = { name: string; progress: number; error?: string; done?: boolean }

/** One kind of file asked for: photos from the camera or files, sent with progress, each refusal explained. */
function WantedFiles({ token, wanted }: { token: string; wanted: Wanted }) {
  const queryClient = useQueryClient()
  const inputId = useId()
  const [files, setFiles] = useState<File[]>([])
  const [sending, setSending] = useState<Sending[]>([])
  const busy = sending.some((s) => !s.done && !s.error)
  const update = (i: number, change: Partial<Sending>) =>
    setSending((all) => all.map((s, j) => (j === i ? { ...s, ...change } : s)))

  async function send(e: FormEvent) {
    e.preventDefault()
    const batch = files
    setSending(batch.map((f) => ({ name: f.name, progress: 0 })))
    // One request per file: a refused file does not hold back the others, and each has its own progress.
    await Promise.all(
      batch.map(async (file, i) => {
        const form = new FormData()
        form.append('type', wanted.key)
        form.append('file', file, file.name)
        try {
          await sendForm(`/api/v1/portal/evidence/${encodeURIComponent(token)}/files`, form, (p) =>
            update(i, { progress: p }),
          )
          update(i, { progress: 1, done: true })
        } catch (err) {
          update(i, { error: err instanceof ApiError ? err.message : 'The upload failed. Please try again.' })
        }
      }),
    )
    setFiles([])
    await queryClient.invalidateQueries({ queryKey: ['portal-evidence', token] })
  }

  return (
    <Card withBorder padding="lg" component="form" onSubmit={send} aria-label={wanted.label}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Title order={2} size="h4">
          {wanted.label}
        </Title>
        {wanted.received && (
          <Badge color="teal.9" variant="filled">
            Received
          </Badge>
        )}
      </Group>
      <Stack gap="sm" mt="md">
        <label htmlFor={inputId}>
          <Text size="sm" fw={500}>
            {wanted.kind === 'photo' ? 'Take photos or choose files' : 'Choose files'}
          </Text>
        </label>
        {/* A real file input: on a phone, image types offer the camera as well as the gallery. */}
        <input
          id={inputId}
          type="file"
          multiple
          accept={wanted.formats.join(',')}
          onChange={(e) => setFiles(Array.from(e.currentTarget.files ?? []))}
          style={{ minHeight: 44, fontSize: 16, maxWidth: '100%' }}
        />
        <Text size="xs" c="dimmed">
          Up to {Math.round(wanted.max_bytes / 1024 / 1024)} MB each.
        </Text>
        <Button type="submit" size="md" disabled={files.length === 0} loading={busy}>
          {files.length > 1 ? `Send ${files.length} files` : 'Send'}
        </Button>
        {sending.map((s, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a batch's files keep their order while it is shown
          <Stack key={i} gap={2}>
            <Text size="sm" truncate>
              {s.name}
            </Text>
            {s.error ? (
              <Alert color="red" role="alert" p="xs">
                {s.error}
              </Alert>
            ) : (
              <Progress
                value={Math.round(s.progress * 100)}
                color={s.done ? 'teal.9' : 'indigo'}
                aria-label={`${s.name}: ${s.done ? 'sent' : `${Math.round(s.progress * 100)}% sent`}`}
              />
            )}
          </Stack>
        ))}
      </Stack>
    </Card>
  )
}

function Received({ items, label }: { items: View['received']; label: (key: string) => string }) {
  if (items.length === 0) return null
  return (
    <Card withBorder padding="lg" role="status" aria-label="Received">
      <Title order={2} size="h4">
        What we have received
      </Title>
      <List mt="sm" spacing={4}>
        {items.map((r) => (
          <List.Item key={`${r.name}-${r.received_at}`}>
            <Text size="sm">
              {label(r.type_key)}: {r.name}{' '}
              <Text span c="dimmed">
                · {dateTime(r.received_at)}
              </Text>
            </Text>
          </List.Item>
        ))}
      </List>
    </Card>
  )
}

function ThankYou() {
  return (
    <Container size={560} px="sm" py="xl">
      <Card withBorder padding="lg" role="status">
        <Title order={1} size="h2">
          Thank you: we have everything we asked for
        </Title>
        <Text mt="sm">We will look at your files and write to you. You can close this page.</Text>
      </Card>
    </Container>
  )
}
