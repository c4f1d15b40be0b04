import { Alert, Button, Card, Group, List, Paper, SimpleGrid, Stack, Text, TextInput } from '@mantine/core'
import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { dateTime } from '../../components/format'
import { useMoney } from '../../components/money'
import { SectionHeader } from '../../components/SectionHeader'
import { Actions, CaseLink, Conditions } from './ExecutionLog'
import { type DryRunReport, testRule } from './requests'
import { lastDays, rangeOf } from './rule-text'

/** Runs the draft over the workspace's stored events in a range, without doing anything, before it is published. */
export function TestRun({ source, disabled }: { source: string; disabled: boolean }) {
  const [range, setRange] = useState(() => lastDays(30))
  const run = useMutation({ meta: { inline: true }, mutationFn: () => testRule({ source, ...rangeOf(range) }) })
  return (
    <Card withBorder component="section" aria-label="Test on history">
      <SectionHeader title="Test on history" description="What this text would have done: nothing is changed." />
      <Group gap="xs" align="flex-end" mt="sm">
        <TextInput
          label="From"
          type="date"
          value={range.from}
          onChange={(e) => setRange({ ...range, from: e.currentTarget.value })}
        />
        <TextInput
          label="To"
          type="date"
          value={range.to}
          onChange={(e) => setRange({ ...range, to: e.currentTarget.value })}
        />
        <Button variant="default" onClick={() => run.mutate()} loading={run.isPending} disabled={disabled}>
          Run test
        </Button>
      </Group>
      {run.error && (
        <Alert color="red" mt="sm" role="alert">
          {run.error.message}
        </Alert>
      )}
      {run.data && <Report report={run.data} />}
    </Card>
  )
}

function Report({ report }: { report: DryRunReport }) {
  const money = useMoney()
  const counts: [string, number][] = [
    ['Events scanned', report.events_scanned],
    ['Evaluated', report.evaluations],
    ['Matched', report.matched],
    ['Cases it would open', report.cases_opened],
    ['Cases it would change', report.cases_changed],
  ]
  const actions = Object.entries(report.actions)
  return (
    <Stack gap="sm" mt="sm" aria-label="Test result">
      <SimpleGrid cols={{ base: 2, sm: 5 }} spacing="xs" component="dl" m={0}>
        {counts.map(([label, n]) => (
          <Paper key={label} withBorder p="xs">
            <Text component="dt" size="xs" c="dimmed">
              {label}
            </Text>
            <Text component="dd" m={0} fw={700} size="lg">
              {n}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      {report.truncated && (
        <Text size="sm">The range holds more events than one test scans: narrow it to see them all.</Text>
      )}
      {actions.length > 0 ? (
        <List size="sm" aria-label="Actions it would take">
          {actions.map(([name, n]) => (
            <List.Item key={name}>
              <Text span ff="monospace" size="sm">
                {name}
              </Text>{' '}
              × {n}
            </List.Item>
          ))}
        </List>
      ) : (
        <Text size="sm" c="dimmed">
          It would have taken no action in this range.
        </Text>
      )}
      {report.samples.length > 0 && (
        <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Sample matches">
          {report.samples.map((s) => (
            <Paper component="li" key={`${s.event_id}-${s.case_id}`} withBorder p="xs">
              <Group gap="xs">
                <Text size="sm" fw={600}>
                  {s.event_type}
                </Text>
                <Text size="xs" c="dimmed">
                  {dateTime(s.occurred_at)}
                </Text>
                {s.case_id && <CaseLink id={s.case_id} />}
              </Group>
              <Conditions conditions={s.conditions} money={money} />
              <Actions actions={s.actions} />
            </Paper>
          ))}
        </Stack>
      )}
    </Stack>
  )
}
