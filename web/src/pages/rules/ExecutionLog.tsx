import { Anchor, Badge, Group, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { Link, useSearchParams } from 'react-router'
import { api, ok } from '../../api/client'
import { dateTime, humanize, timeAgo } from '../../components/format'
import { type FormatMoney, useMoney } from '../../components/money'
import { ListStatus } from '../../components/lists'
import { LoadMore, usePaged } from '../../components/paged'
import { useRules } from './RulesPage'
import {
  type ActionOutcome,
  type ConditionSeen,
  type Execution,
  type ExecutionFilter,
  listExecutions,
  ruleKeys,
} from './requests'
import {
  oneOf,
  outcomeColor,
  outcomeLabel,
  outcomes,
  rangeOf,
  triggerKinds,
  triggerLabel,
  valueText,
} from './rule-text'

/** The execution log of every rule, filtered by rule, outcome, trigger and dates held in the address. */
export function ExecutionLogPage() {
  const [params, setParams] = useSearchParams()
  const rules = useRules()
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params)
    if (value) next.set(key, value)
    else next.delete(key)
    setParams(next, { replace: true })
  }
  const from = params.get('from') ?? ''
  const to = params.get('to') ?? ''
  const outcome = oneOf(outcomes, params.get('outcome'))
  const trigger = oneOf(triggerKinds, params.get('trigger'))
  const filter: ExecutionFilter = {
    ...(params.get('rule') ? { rule_id: params.get('rule')! } : {}),
    ...(outcome ? { outcome } : {}),
    ...(trigger ? { trigger } : {}),
    ...(from ? { from: rangeOf({ from, to: from }).from } : {}),
    ...(to ? { to: rangeOf({ from: to, to }).to } : {}),
  }
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={1} size="h3">
          Rule execution log
        </Title>
        <Anchor component={Link} to="/rules" size="sm">
          All rules
        </Anchor>
      </Group>
      <Group gap="xs" align="flex-end" role="group" aria-label="Filters">
        <Select
          label="Rule"
          w={220}
          clearable
          searchable
          placeholder="Any rule"
          value={params.get('rule')}
          onChange={(v) => set('rule', v)}
          data={rules.data?.data.map((r) => ({ value: r.id, label: r.name })) ?? []}
        />
        <Select
          label="Outcome"
          w={170}
          clearable
          placeholder="Any outcome"
          value={outcome ?? null}
          onChange={(v) => set('outcome', v)}
          data={outcomes.map((o) => ({ value: o, label: outcomeLabel[o] }))}
        />
        <Select
          label="Trigger"
          w={210}
          clearable
          placeholder="Any trigger"
          value={trigger ?? null}
          onChange={(v) => set('trigger', v)}
          data={triggerKinds.map((t) => ({ value: t, label: triggerLabel(t) }))}
        />
        <TextInput label="From" type="date" value={from} onChange={(e) => set('from', e.currentTarget.value)} />
        <TextInput label="To" type="date" value={to} onChange={(e) => set('to', e.currentTarget.value)} />
      </Group>
      <ExecutionList filter={filter} />
    </Stack>
  )
}

/** Executions newest first, paged by cursor. */
export function ExecutionList({ filter, showRule = true }: { filter: ExecutionFilter; showRule?: boolean }) {
  const money = useMoney()
  const { query, rows } = usePaged([...ruleKeys.log, filter], (cursor) => listExecutions(filter, cursor))
  return (
    <Stack gap="xs">
      <ListStatus query={query} skeleton={160} empty={rows.length === 0 && 'No executions match.'} />
      {rows.length > 0 && (
        <Stack gap="xs" component="ul" aria-label="Executions" p={0} m={0} style={{ listStyle: 'none' }}>
          {rows.map((x) => (
            <ExecutionRow key={x.id} x={x} showRule={showRule} money={money} />
          ))}
        </Stack>
      )}
      <LoadMore query={query} />
    </Stack>
  )
}

function ExecutionRow({ x, showRule, money }: { x: Execution; showRule: boolean; money: FormatMoney }) {
  return (
    <Paper
      component="li"
      withBorder
      p="sm"
      aria-label={`${x.rule_name} v${x.rule_version}: ${outcomeLabel[x.outcome]}`}
    >
      <Group gap="xs" justify="space-between">
        <Group gap="xs">
          <Badge variant="filled" color={outcomeColor[x.outcome]} miw="max-content">
            {outcomeLabel[x.outcome] ?? x.outcome}
          </Badge>
          {showRule ? (
            <Anchor component={Link} to={`/rules/${x.rule_id}`} size="sm" fw={600}>
              {x.rule_name} (v{x.rule_version})
            </Anchor>
          ) : (
            <Text size="sm" fw={600}>
              Version {x.rule_version}
            </Text>
          )}
          <Text size="sm" c="dimmed">
            {triggerLabel(x.trigger)}
            {x.event_type ? ` · ${x.event_type}` : ''}
            {x.depth > 0 ? ` · caused by a rule (depth ${x.depth})` : ''}
          </Text>
          {x.case_id && <CaseLink id={x.case_id} />}
        </Group>
        <Text size="xs" c="dimmed" title={dateTime(x.occurred_at)}>
          {timeAgo(x.occurred_at)}
        </Text>
      </Group>
      {(x.skip_reason || x.error) && (
        <Text size="sm" c={x.error ? 'var(--mantine-color-error)' : undefined} mt={4}>
          {x.error ?? humanize(x.skip_reason ?? '')}
        </Text>
      )}
      <Conditions conditions={x.conditions} money={money} />
      <Actions actions={x.actions} />
    </Paper>
  )
}

/** A case by its number (CD-1042), looked up once and shared with the case page's cache: a log names cases by id. */
export function CaseLink({ id }: { id: string }) {
  const detail = useQuery({
    queryKey: ['case', id, 'detail'],
    queryFn: () => ok(api.GET('/api/v1/cases/{id}', { params: { path: { id } } })),
    staleTime: 5 * 60_000,
  })
  return (
    <Anchor component={Link} to={`/cases/${id}`} size="sm">
      {detail.data?.number ?? 'Open case'}
    </Anchor>
  )
}

export function Conditions({ conditions, money }: { conditions: ConditionSeen[]; money: FormatMoney }) {
  if (conditions.length === 0) return null
  return (
    <Table aria-label="Conditions" mt="xs" fz="sm" verticalSpacing={2} withRowBorders={false}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Field</Table.Th>
          <Table.Th>Seen</Table.Th>
          <Table.Th>Expected</Table.Th>
          <Table.Th>Matched</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {conditions.map((c, i) => (
          <Table.Tr key={i}>
            <Table.Td ff="monospace">{c.field}</Table.Td>
            <Table.Td>
              {valueText(c.seen, money)}
              {c.note && (
                <Text span size="xs" c="dimmed">
                  {' '}
                  ({c.note})
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              {c.op} {valueText(c.expected, money)}
            </Table.Td>
            <Table.Td>{c.matched ? 'Yes' : 'No'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  )
}

const statusWords: Record<ActionOutcome['status'], string> = {
  done: 'done',
  would: 'would run',
  skipped: 'skipped',
  failed: 'failed',
}

export function Actions({ actions }: { actions: ActionOutcome[] }) {
  if (actions.length === 0) return null
  return (
    <Stack component="ul" gap={2} mt="xs" pl="md" m={0} aria-label="Actions">
      {actions.map((a, i) => (
        <Text component="li" size="sm" key={i}>
          <Text span ff="monospace" size="sm">
            {a.text}
          </Text>
          {`: ${statusWords[a.status] ?? a.status}`}
          {a.detail ? ` — ${a.detail}` : ''}
          {a.case_id && (
            <>
              {' '}
              <Anchor component={Link} to={`/cases/${a.case_id}`} size="sm">
                case
              </Anchor>
            </>
          )}
        </Text>
      ))}
    </Stack>
  )
}
