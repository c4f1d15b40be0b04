import { NumberInput, Select, Stack, Switch, Table, Text } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { api, ok, type Reply } from '../../api/client'
import { dateTime, humanize } from '../../components/format'
import { Loaded } from '../../components/lists'
import { SectionHeader } from '../../components/SectionHeader'
import { useSettingsForm } from '../../components/settings-form'
import { SaveBar } from './shared'

type Policies = Reply<'/api/v1/retention/policies', 'get'>
type Policy = Policies['data'][number]

const kindWords: Record<Policy['kind'], string> = {
  evidence: 'Evidence',
  message_bodies: 'Message text',
  customer_data: 'Customer personal data',
}
const startWords = [
  { value: 'case_closed', label: 'case closed' },
  { value: 'created', label: 'created' },
]

/** How long each kind of record is kept, and what the hourly purge removed (legal holds keep theirs). */
export function Retention() {
  const policies = useQuery({
    queryKey: ['retention-policies'],
    queryFn: () => ok(api.GET('/api/v1/retention/policies')),
  })
  const runs = useQuery({
    queryKey: ['retention-runs'],
    queryFn: () => ok(api.GET('/api/v1/retention/runs', { params: { query: { limit: 20 } } })),
  })
  return (
    <Stack gap="md">
      <SectionHeader
        title="Retention"
        description="Records past their time are purged every hour; cases and customers under a legal hold keep everything"
      />
      <Loaded query={policies} skeleton={[240]}>
        {(p) => <PoliciesForm policies={p} />}
      </Loaded>
      <SectionHeader title="Recent purges" order={3} size="h5" />
      <Loaded query={runs} skeleton={[120]}>
        {(r) =>
          r.data.length === 0 ? (
            <Text size="sm" c="dimmed">
              No purge has removed anything yet.
            </Text>
          ) : (
            <Table aria-label="Recent purges" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>What</Table.Th>
                  <Table.Th>Removed</Table.Th>
                  <Table.Th>Kept by a hold</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {r.data.map((run) => (
                  <Table.Tr key={run.id}>
                    <Table.Td>{dateTime(run.started_at)}</Table.Td>
                    <Table.Td>{humanize(run.kind.replace(':', ': '))}</Table.Td>
                    <Table.Td>{run.removed}</Table.Td>
                    <Table.Td>{run.held}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </Loaded>
    </Stack>
  )
}

function PoliciesForm({ policies }: { policies: Policies }) {
  const { form, setForm, fields, submit, saveBar } = useSettingsForm({
    settings: policies,
    queryKey: ['retention-policies'],
    save: (next: Policies) =>
      ok(
        api.PUT('/api/v1/retention/policies', {
          body: {
            policies: next.data.map(({ kind, scope, keep_days, after, enabled }) => ({
              kind,
              scope,
              keep_days,
              after,
              enabled,
            })),
          },
        }),
      ),
  })
  const change = (i: number, patch: Partial<Policy>) =>
    setForm({ data: form.data.map((p, j) => (j === i ? { ...p, ...patch } : p)) })
  const nameOf = (p: Policy) =>
    `${kindWords[p.kind]}${p.scope ? `: ${humanize(p.scope)}` : p.kind === 'evidence' ? ': other types' : ''}`
  return (
    <Stack component="form" gap="sm" aria-label="Retention policies" onSubmit={submit}>
      <Table aria-label="Retention policies">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Records</Table.Th>
            <Table.Th>Purge</Table.Th>
            <Table.Th>Kept for (days)</Table.Th>
            <Table.Th>Counted from</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {form.data.map((p, i) => (
            <Table.Tr key={`${p.kind}:${p.scope}`}>
              <Table.Td>
                <Text size="sm">{nameOf(p)}</Text>
              </Table.Td>
              <Table.Td>
                <Switch
                  aria-label={`Purge ${nameOf(p)}`}
                  checked={p.enabled}
                  onChange={(e) => change(i, { enabled: e.currentTarget.checked })}
                />
              </Table.Td>
              <Table.Td>
                <NumberInput
                  size="xs"
                  w={110}
                  aria-label={`Days to keep ${nameOf(p)}`}
                  min={1}
                  max={36500}
                  value={p.keep_days}
                  onChange={(v) => typeof v === 'number' && change(i, { keep_days: v })}
                  error={fields[`policies.${i}.keep_days`]}
                />
              </Table.Td>
              <Table.Td>
                <Select
                  size="xs"
                  w={140}
                  aria-label={`${nameOf(p)} counted from`}
                  data={startWords}
                  value={p.after}
                  allowDeselect={false}
                  onChange={(v) => v && change(i, { after: v as Policy['after'] })}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <SaveBar {...saveBar('Retention policies saved.')} editable>
        Save retention policies
      </SaveBar>
    </Stack>
  )
}
