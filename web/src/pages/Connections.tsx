import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ok, type Reply } from '../api/client'
import { useCan } from '../app/session'
import { CopyValue } from '../components/CopyValue'
import { ErrorState } from '../components/ErrorState'
import { dateTime, healthColor, healthLabel, timeAgo } from '../components/format'
import { SectionHeader } from '../components/SectionHeader'

type Connection = Reply<'/api/v1/carrier-connections', 'get'>['data'][number]

/** Carrier connections: where each posts its webhooks, its secret, its health, and its dead letters with replay. */
export function Connections() {
  const list = useQuery({
    queryKey: ['carrier-connections'],
    queryFn: () => ok(api.GET('/api/v1/carrier-connections', { params: { query: { limit: 100 } } })),
  })
  if (list.isError) return <ErrorState error={list.error} retry={() => void list.refetch()} />
  return (
    <Stack gap="md">
      <Title order={1} size="h3">
        Carrier connections
      </Title>
      {list.isPending && <Skeleton h={200} />}
      {list.data?.data.length === 0 && (
        <Text c="dimmed">
          No carrier connections yet. Create one with <Code>POST /api/v1/carrier-connections</Code>.
        </Text>
      )}
      {list.data?.data.map((c) => (
        <ConnectionCard key={c.id} c={c} />
      ))}
    </Stack>
  )
}

function ConnectionCard({ c }: { c: Connection }) {
  const can = useCan()
  const qc = useQueryClient()
  const [secret, setSecret] = useState<string | null>(null)
  const rotate = useMutation({
    mutationFn: () =>
      ok(api.POST('/api/v1/carrier-connections/{id}/secrets', { params: { path: { id: c.id } }, body: {} })),
    onSuccess: (r) => {
      setSecret(r.webhook_secret ?? null)
      void qc.invalidateQueries({ queryKey: ['carrier-connections'] })
    },
  })
  const h = c.health
  return (
    <Card withBorder aria-label={`Connection ${c.name}`}>
      <SectionHeader
        title={c.name}
        description={`${c.provider} · ${c.status}`}
        align="flex-start"
        action={
          <Badge size="lg" color={healthColor(h.state)} variant="light">
            {healthLabel(h.state)}
          </Badge>
        }
      />
      {h.reasons.length > 0 && (
        <Alert color="red" mt="sm" p="xs">
          {h.reasons.join('; ')}
        </Alert>
      )}
      <Group mt="sm" gap="xs" wrap="nowrap">
        <TextInput
          readOnly
          value={c.webhook_url}
          aria-label="Webhook URL"
          style={{ flex: 1 }}
          onFocus={(e) => e.currentTarget.select()}
        />
        <CopyValue value={c.webhook_url} variant="default" />
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 4 }} mt="md" spacing="xs">
        <Figure label="Last event" value={h.last_received_at ? timeAgo(h.last_received_at) : 'never'} />
        <Figure label="Deliveries, 24 h" value={String(h.deliveries_24h)} />
        <Figure
          label="Signature failures, 24 h"
          value={String(h.signature_failures_24h)}
          alarm={h.signature_failures_24h > 0}
        />
        <Figure label="Malformed, 24 h" value={String(h.malformed_24h)} alarm={h.malformed_24h > 0} />
        <Figure label="Waiting" value={String(h.waiting)} />
        <Figure label="Failing" value={String(h.failing)} alarm={h.failing > 0} />
        <Figure label="Dead letters" value={String(h.dead_letters)} alarm={h.dead_letters > 0} />
        <Figure
          label="p99 processing lag"
          value={h.p99_processing_lag_seconds === null ? '—' : `${h.p99_processing_lag_seconds.toFixed(1)} s`}
        />
      </SimpleGrid>
      <Group mt="md" gap="xs">
        <Text size="sm" c="dimmed">
          Secrets:{' '}
          {c.secret_versions
            .map((v) => (v.expires_at ? `one expiring ${dateTime(v.expires_at)}` : 'current'))
            .join(', ')}
        </Text>
        {can('integrations.manage') && (
          <Button size="xs" variant="default" onClick={() => rotate.mutate()} loading={rotate.isPending}>
            Rotate secret
          </Button>
        )}
      </Group>
      {secret && (
        <Alert
          color="yellow"
          mt="sm"
          title="New webhook secret (shown once)"
          withCloseButton
          onClose={() => setSecret(null)}
        >
          <Group gap="xs" wrap="nowrap">
            <Code style={{ wordBreak: 'break-all' }}>{secret}</Code>
            <CopyValue value={secret} size="xs" />
          </Group>
          <Text size="xs" mt={4}>
            The previous secret keeps working for the grace period, so the provider can be updated without losing
            events.
          </Text>
        </Alert>
      )}
      {h.dead_letters > 0 && <DeadLetters connectionId={c.id} />}
    </Card>
  )
}

function Figure({ label, value, alarm }: { label: string; value: string; alarm?: boolean }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600} c={alarm ? 'red' : undefined}>
        {value}
      </Text>
    </div>
  )
}

function DeadLetters({ connectionId }: { connectionId: string }) {
  const can = useCan()
  const qc = useQueryClient()
  const dead = useQuery({
    queryKey: ['deliveries', connectionId, 'dead'],
    queryFn: () =>
      ok(
        api.GET('/api/v1/webhooks/deliveries', {
          params: { query: { status: 'dead', connection_id: connectionId, limit: 20 } },
        }),
      ),
  })
  const refresh = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: ['deliveries', connectionId] }),
      qc.invalidateQueries({ queryKey: ['carrier-connections'] }),
    ])
  const replayOne = useMutation({
    mutationFn: (id: string) => ok(api.POST('/api/v1/webhooks/deliveries/{id}/replay', { params: { path: { id } } })),
    onSuccess: refresh,
  })
  const replayAll = useMutation({
    mutationFn: () =>
      ok(api.POST('/api/v1/webhooks/deliveries/replay', { body: { status: 'dead', connection_id: connectionId } })),
    onSuccess: (r) => {
      notifications.show({ color: 'teal', title: 'Replaying', message: `${r.count} deliveries queued again` })
      return refresh()
    },
  })
  return (
    <Stack gap="xs" mt="md">
      <Group justify="space-between">
        <Title order={3} size="h5">
          Dead letters
        </Title>
        {can('integrations.manage') && (
          <Button size="xs" color="orange" onClick={() => replayAll.mutate()} loading={replayAll.isPending}>
            Replay all
          </Button>
        )}
      </Group>
      <Table fz="sm" aria-label="Dead letters">
        <Table.Tbody>
          {dead.data?.data.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>{dateTime(d.received_at)}</Table.Td>
              <Table.Td>
                <Text size="sm" lineClamp={2}>
                  {d.last_error}
                </Text>
              </Table.Td>
              <Table.Td>{d.attempts} attempts</Table.Td>
              <Table.Td>
                {can('integrations.manage') && (
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => replayOne.mutate(d.id)}
                    loading={replayOne.isPending && replayOne.variables === d.id}
                  >
                    Replay
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  )
}
