import { ActionIcon, Anchor, Badge, Button, Group, Menu, Stack, Table, Text, Title } from '@mantine/core'
import { IconDots } from '@tabler/icons-react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import { useCan } from '../../app/session'
import { dateTime, timeAgo } from '../../components/format'
import { ListStatus } from '../../components/lists'
import { ImportDialog } from './ImportDialog'
import { exportUrl, listRules, type Rule, type RuleMode, ruleKeys, updateRule } from './requests'
import { modeColor, modeLabel, ruleModes, triggerLabel } from './rule-text'

export function useRules() {
  return useQuery({ queryKey: ruleKeys.all, queryFn: listRules })
}

export function ModeBadge({ mode }: { mode: RuleMode }) {
  return (
    <Badge variant="filled" color={modeColor[mode]} miw="max-content">
      {modeLabel[mode]}
    </Badge>
  )
}

const modeVerbs: Record<RuleMode, string> = { active: 'Turn on', shadow: 'Run in shadow', disabled: 'Disable' }

/** Switches a rule between active, shadow and disabled, and refreshes the lists that show it. */
export function useSetMode() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ rule, mode }: { rule: Pick<Rule, 'id'>; mode: RuleMode }) => updateRule(rule.id, { mode }),
    onSuccess: (saved) => {
      qc.setQueryData(ruleKeys.one(saved.id), saved)
      return qc.invalidateQueries({ queryKey: ruleKeys.all })
    },
  })
}

/** The workspace's automation rules in the order they run, with what each did in the last 30 days. */
export function RulesPage() {
  const can = useCan()
  const rules = useRules()
  const setMode = useSetMode()
  const [importing, setImporting] = useState(false)
  const manage = can('rules.manage')
  const rows = rules.data?.data ?? []
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={1} size="h3">
          Rules
        </Title>
        <Group gap="xs">
          <Button size="xs" variant="default" component={Link} to="/rules/log">
            Execution log
          </Button>
          <Button size="xs" variant="default" component="a" href={exportUrl} download="rules.txt">
            Export
          </Button>
          {manage && (
            <>
              <Button size="xs" variant="default" onClick={() => setImporting(true)}>
                Import
              </Button>
              <Button size="xs" component={Link} to="/rules/new">
                New rule
              </Button>
            </>
          )}
        </Group>
      </Group>
      <Text size="sm" c="dimmed">
        Rules run in this order on each event. A new rule starts in shadow: it logs what it would have done until you
        turn it on.
      </Text>
      <ListStatus query={rules} skeleton={240} empty={rows.length === 0 && 'No rules yet.'} />
      {rows.length > 0 && (
        <Table.ScrollContainer minWidth={900}>
          <Table aria-label="Rules" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Priority</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>Mode</Table.Th>
                <Table.Th>Triggers</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Last 30 days</Table.Th>
                <Table.Th>Last fired</Table.Th>
                {manage && <Table.Th aria-label="Actions" />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>{r.priority}</Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/rules/${r.id}`} fw={500}>
                      {r.name}
                    </Anchor>
                    {r.stop_processing && (
                      <Text size="xs" c="dimmed">
                        Stops later rules
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <ModeBadge mode={r.mode} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{r.triggers.map(triggerLabel).join(', ')}</Text>
                  </Table.Td>
                  <Table.Td>v{r.version}</Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                      {r.stats.fired} fired · {r.stats.shadow} would have · {r.stats.failed} failed
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {r.stats.last_at ? (
                      <Text size="sm" title={dateTime(r.stats.last_at)}>
                        {timeAgo(r.stats.last_at)}
                      </Text>
                    ) : (
                      <Text size="sm" c="dimmed">
                        Never
                      </Text>
                    )}
                  </Table.Td>
                  {manage && (
                    <Table.Td>
                      <Menu position="bottom-end">
                        <Menu.Target>
                          <ActionIcon variant="subtle" color="gray" aria-label={`Change the mode of ${r.name}`}>
                            <IconDots size={16} aria-hidden />
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          {ruleModes
                            .filter((m) => m !== r.mode)
                            .map((m) => (
                              <Menu.Item key={m} onClick={() => setMode.mutate({ rule: r, mode: m })}>
                                {modeVerbs[m]}
                              </Menu.Item>
                            ))}
                        </Menu.Dropdown>
                      </Menu>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {importing && <ImportDialog close={() => setImporting(false)} />}
    </Stack>
  )
}
