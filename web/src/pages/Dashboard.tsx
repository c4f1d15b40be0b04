import '@mantine/charts/styles.css'
import { BarChart } from '@mantine/charts'
import { Anchor, Badge, Card, Group, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { type ReactNode, useMemo } from 'react'
import { Link } from 'react-router'
import { api, ok } from '../api/client'
import { useCarrierName, useCaseTypes } from '../app/directory'
import { useCan } from '../app/session'
import { ErrorState } from '../components/ErrorState'
import { healthColor, healthLabel, humanize, timeAgo } from '../components/format'
import { CsatCard } from './CsatCard'
import { SlaAttainment } from './SlaAttainment'

const palette = ['indigo.6', 'teal.6', 'orange.6', 'grape.6', 'cyan.6', 'gray.5']

/** The operations dashboard: what is open and how old, where new cases come from, what the carriers are not saying. */
export default function Dashboard() {
  const can = useCan()
  const stats = useQuery({
    queryKey: ['cases', 'stats'],
    queryFn: () => ok(api.GET('/api/v1/cases/stats', { params: { query: { days: 30 } } })),
  })
  const types = useCaseTypes()
  const carrierName = useCarrierName()
  const byType = useMemo(() => {
    const label = (key: string) => types.data?.find((t) => t.key === key)?.label ?? humanize(key)
    return (
      stats.data?.open_by_type.map((r) => ({
        type: label(r.case_type),
        '0–24 h': r['0_24h'],
        '24–72 h': r['24_72h'],
        '72 h+': r['72h_plus'],
      })) ?? []
    )
  }, [stats.data, types.data])

  // The five busiest carriers by name, the rest together, one bar per day.
  const { perDay, carriers } = useMemo(() => {
    const rows = stats.data?.new_by_day ?? []
    const totals = new Map<string, number>()
    for (const r of rows) totals.set(r.carrier ?? 'none', (totals.get(r.carrier ?? 'none') ?? 0) + r.count)
    const top = [...totals.entries()]
      .filter(([c]) => c !== 'none')
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([c]) => c)
    const days = new Map<string, Record<string, number | string>>()
    for (const r of rows) {
      const series =
        r.carrier && top.includes(r.carrier) ? carrierName(r.carrier) : r.carrier ? 'Other carriers' : 'No carrier'
      const day = days.get(r.day) ?? { day: r.day.slice(5) }
      day[series] = ((day[series] as number | undefined) ?? 0) + r.count
      days.set(r.day, day)
    }
    const names = [...top.map(carrierName), 'Other carriers', 'No carrier'].filter((n) =>
      [...days.values()].some((d) => d[n]),
    )
    return { perDay: [...days.values()], carriers: names }
  }, [stats.data, carrierName])

  if (stats.isError) return <ErrorState error={stats.error} retry={() => void stats.refetch()} />
  return (
    <Stack gap="md">
      <Title order={1} size="h3">
        Operations
      </Title>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder>
          <Title order={2} size="h5" mb="sm">
            Open cases by type and age
          </Title>
          {stats.isPending ? (
            <Skeleton h={260} />
          ) : byType.length === 0 ? (
            <Text c="dimmed">Nothing open</Text>
          ) : (
            <BarChart
              h={260}
              data={byType}
              dataKey="type"
              type="stacked"
              withLegend
              series={[
                { name: '0–24 h', color: 'teal.6' },
                { name: '24–72 h', color: 'yellow.6' },
                { name: '72 h+', color: 'red.6' },
              ]}
            />
          )}
        </Card>
        <Card withBorder>
          <Title order={2} size="h5" mb="sm">
            New cases per day by carrier (30 days, {stats.data?.time_zone ?? '…'})
          </Title>
          {stats.isPending ? (
            <Skeleton h={260} />
          ) : perDay.length === 0 ? (
            <Text c="dimmed">No new cases</Text>
          ) : (
            <BarChart
              h={260}
              data={perDay}
              dataKey="day"
              type="stacked"
              withLegend
              series={carriers.map((name, i) => ({ name, color: palette[i % palette.length]! }))}
            />
          )}
        </Card>
        {can('analytics.read') && <SlaAttainment />}
        {can('analytics.read') && <CsatCard />}
        <StaleShipments />
        {can('integrations.read') && <ConnectionHealth />}
      </SimpleGrid>
    </Stack>
  )
}

function StaleShipments() {
  const stale = useQuery({
    queryKey: ['shipments', 'stale'],
    queryFn: () => ok(api.GET('/api/v1/carriers/stale-shipments', { params: { query: { limit: 8 } } })),
  })
  return (
    <LinkedCard title="Stale shipments" to="/shipments?view=stale" link="All stale shipments">
      {stale.isPending && <Skeleton h={160} />}
      {stale.isError && (
        <Text c="red" size="sm">
          {stale.error.message}
        </Text>
      )}
      {stale.data &&
        (stale.data.data.length === 0 ? (
          <Text c="dimmed" size="sm">
            Every open shipment has recent carrier news
          </Text>
        ) : (
          <Table fz="sm" aria-label="Stale shipments">
            <Table.Tbody>
              {stale.data.data.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>{s.carrier_name ?? s.carrier_code ?? '—'}</Table.Td>
                  <Table.Td ff="monospace">{s.tracking_number}</Table.Td>
                  <Table.Td>{s.tracking_status ? humanize(s.tracking_status) : 'No scans'}</Table.Td>
                  <Table.Td c="dimmed">
                    {s.last_tracking_event_at
                      ? `last scan ${timeAgo(s.last_tracking_event_at)}`
                      : s.shipped_at
                        ? `shipped ${timeAgo(s.shipped_at)}`
                        : ''}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ))}
    </LinkedCard>
  )
}

function ConnectionHealth() {
  const connections = useQuery({
    queryKey: ['carrier-connections'],
    queryFn: () => ok(api.GET('/api/v1/carrier-connections', { params: { query: { limit: 50 } } })),
  })
  return (
    <LinkedCard title="Carrier connections" to="/connections" link="Manage">
      {connections.isPending && <Skeleton h={120} />}
      {connections.data?.data.length === 0 && (
        <Text c="dimmed" size="sm">
          No carrier connections yet
        </Text>
      )}
      <Stack gap="xs">
        {connections.data?.data.map((c) => (
          <Group key={c.id} justify="space-between" wrap="nowrap">
            <div>
              <Text size="sm" fw={600}>
                {c.name}{' '}
                <Text span c="dimmed" size="xs">
                  {c.provider}
                </Text>
              </Text>
              <Text size="xs" c="dimmed">
                {c.health.last_received_at ? `last event ${timeAgo(c.health.last_received_at)}` : 'no events yet'} ·{' '}
                {c.health.deliveries_24h} in 24 h
                {c.health.dead_letters ? ` · ${c.health.dead_letters} dead letters` : ''}
              </Text>
            </div>
            <Badge color={healthColor(c.health.state)} variant="light" title={c.health.reasons.join(', ')}>
              {healthLabel(c.health.state)}
            </Badge>
          </Group>
        ))}
      </Stack>
    </LinkedCard>
  )
}

/** A dashboard card with a link to the page that lists it all. */
function LinkedCard({ title, to, link, children }: { title: string; to: string; link: string; children: ReactNode }) {
  return (
    <Card withBorder>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h5">
          {title}
        </Title>
        <Anchor component={Link} to={to} size="sm">
          {link}
        </Anchor>
      </Group>
      {children}
    </Card>
  )
}
