import { BarChart } from '@mantine/charts'
import { Card, Group, SegmentedControl, Skeleton, Text, Title } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { api, ok } from '../api/client'
import { useCarrierName, useTeams } from '../app/directory'
import { ErrorState } from '../components/ErrorState'
import { targetLabel } from '../components/sla'

const groups = { week: 'By week', carrier: 'By carrier', team: 'By team' } as const
type Grouping = keyof typeof groups
const colors = ['red.6', 'orange.6', 'grape.6', 'indigo.6', 'teal.6']

/**
 * SLA attainment (GET /sla/reports/attainment): the share of finished targets that were breached, per week, carrier
 * or team, one bar per target; hovering shows the counts behind the rate.
 */
export function SlaAttainment() {
  const [by, setBy] = useState<Grouping>('week')
  const report = useQuery({
    queryKey: ['sla', 'attainment', by],
    queryFn: () => ok(api.GET('/api/v1/sla/reports/attainment', { params: { query: { group_by: by } } })),
  })
  const carrierName = useCarrierName()
  const teams = useTeams()
  const { data, targets } = useMemo(() => {
    const label = (g: string | null) =>
      g === null
        ? by === 'team'
          ? 'No team'
          : 'None'
        : by === 'carrier'
          ? carrierName(g)
          : by === 'team'
            ? (teams.data?.find((t) => t.id === g)?.name ?? 'Former team')
            : g.slice(0, 10)
    const rows = report.data?.rows ?? []
    const targets = [...new Set(rows.map((r) => r.target))]
    const byGroup = new Map<string, Record<string, string | number>>()
    for (const r of rows) {
      if (r.breach_rate === null) continue
      const key = label(r.group)
      const row = byGroup.get(key) ?? { group: key }
      row[targetLabel(r.target)] = Math.round(r.breach_rate * 1000) / 10
      byGroup.set(key, row)
    }
    const data = [...byGroup.values()].sort((a, b) => String(a.group).localeCompare(String(b.group)))
    return { data: by === 'week' ? data.slice(-12) : data.slice(0, 12), targets: targets.map(targetLabel) }
  }, [report.data, by, carrierName, teams.data])
  return (
    <Card withBorder>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h5">
          SLA breach rate (% of finished targets)
        </Title>
        <SegmentedControl
          size="xs"
          aria-label="SLA breach rate grouped"
          value={by}
          onChange={(v) => setBy(v as Grouping)}
          data={Object.entries(groups).map(([value, label]) => ({ value, label }))}
        />
      </Group>
      {report.isError ? (
        <ErrorState error={report.error} retry={() => void report.refetch()} />
      ) : report.isPending ? (
        <Skeleton h={260} />
      ) : data.length === 0 ? (
        <Text c="dimmed">No SLA target has finished yet</Text>
      ) : (
        <BarChart
          h={260}
          data={data}
          dataKey="group"
          withLegend
          unit="%"
          yAxisProps={{ domain: [0, 100] }}
          series={targets.map((name, i) => ({ name, color: colors[i % colors.length]! }))}
        />
      )}
    </Card>
  )
}
