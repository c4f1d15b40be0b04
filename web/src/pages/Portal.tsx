import { Alert, Badge, Box, Card, Center, Container, Loader, Stack, Text, Timeline, Title } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { useParams } from 'react-router'
import { api, ApiError, ok } from '../api/client'
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
  if (view.isError) {
    const expired = view.error instanceof ApiError && view.error.code === 'link_expired'
    return (
      <Container size={480} py="xl">
        <Alert
          color={expired ? 'yellow' : 'red'}
          title={expired ? 'This link has expired' : 'This link does not work'}
          role="alert"
        >
          {expired
            ? 'Links to this page last a limited time. Ask the store that sent it to you for a new link.'
            : 'Check that the whole link was copied. If it still does not work, ask the store that sent it to you for a new link.'}
        </Alert>
      </Container>
    )
  }
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
        <Text size="xs" c="dimmed" ta="center">
          This page updates by itself. Keep the link to yourself: anyone with it can see this page.
        </Text>
      </Stack>
    </Container>
  )
}
