import { Card, Group, SegmentedControl, Skeleton, Stack, Table, Text, Title } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { api, ok } from '../api/client'
import { ErrorState } from '../components/ErrorState'

const groups = { case_type: 'Type', carrier: 'Carrier', team: 'Team', agent: 'Agent', week: 'Week' } as const
type Grouping = keyof typeof groups
const days = 90

const percent = (n: number | null) => (n === null ? '–' : `${Math.round(n)}%`)
const signed = (n: number | null) => (n === null ? '–' : `${n > 0 ? '+' : ''}${Math.round(n)}`)

/**
 * Customer satisfaction after resolution (GET /csat/stats), the last 90 days: the headline CSAT % or NPS, and per
 * case type, carrier, team, agent or week the answers, response rate, average and score.
 */
export function CsatCard() {
  const [by, setBy] = useState<Grouping>('case_type')
  // The window starts at the day's beginning, so the query key stays the same all day.
  const from = useMemo(() => {
    const d = new Date(Date.now() - days * 86_400_000)
    d.setUTCHours(0, 0, 0, 0)
    return d.toISOString()
  }, [])
  const stats = useQuery({
    queryKey: ['csat', 'stats', by, from],
    queryFn: () => ok(api.GET('/api/v1/csat/stats', { params: { query: { group_by: by, from } } })),
  })
  const nps = stats.data?.kind === 'nps'
  const score = (f: { csat_percent: number | null; nps: number | null }) =>
    nps ? signed(f.nps) : percent(f.csat_percent)
  const rows = by === 'week' ? (stats.data?.groups ?? []).slice(-12) : (stats.data?.groups ?? []).slice(0, 12)
  return (
    <Card withBorder aria-label="Customer satisfaction">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h5">
          Customer satisfaction ({days} days)
        </Title>
        <SegmentedControl
          size="xs"
          aria-label="Customer satisfaction grouped by"
          value={by}
          onChange={(v) => setBy(v as Grouping)}
          data={Object.entries(groups).map(([value, label]) => ({ value, label }))}
        />
      </Group>
      {stats.isError ? (
        <ErrorState error={stats.error} retry={() => void stats.refetch()} />
      ) : stats.isPending ? (
        <Skeleton h={260} />
      ) : stats.data.total.responses === 0 ? (
        <Text c="dimmed">No survey answered yet</Text>
      ) : (
        <Stack gap="sm">
          <Group gap="xl">
            <div>
              <Text size="xs" c="dimmed">
                {nps ? 'NPS' : 'CSAT (4–5 of 5)'}
              </Text>
              <Text fw={700} fz={28} data-testid="csat-score">
                {score(stats.data.total)}
              </Text>
            </div>
            <div>
              <Text size="xs" c="dimmed">
                Answers
              </Text>
              <Text fw={600} fz="lg">
                {stats.data.total.responses} of {stats.data.total.sent}
              </Text>
            </div>
            <div>
              <Text size="xs" c="dimmed">
                Average
              </Text>
              <Text fw={600} fz="lg">
                {stats.data.total.average_score ?? '–'} / {nps ? 10 : 5}
              </Text>
            </div>
          </Group>
          <Table striped fz="sm" aria-label={`Customer satisfaction by ${groups[by].toLowerCase()}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{groups[by]}</Table.Th>
                <Table.Th ta="right">Answers</Table.Th>
                <Table.Th ta="right">Response rate</Table.Th>
                <Table.Th ta="right">Average</Table.Th>
                <Table.Th ta="right">{nps ? 'NPS' : 'CSAT'}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((g) => (
                <Table.Tr key={g.group ?? 'none'}>
                  <Table.Td>{g.label}</Table.Td>
                  <Table.Td ta="right">{g.responses}</Table.Td>
                  <Table.Td ta="right">{g.response_rate === null ? '–' : percent(g.response_rate * 100)}</Table.Td>
                  <Table.Td ta="right">{g.average_score ?? '–'}</Table.Td>
                  <Table.Td ta="right">{score(g)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
    </Card>
  )
}
