import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Code,
  Grid,
  Group,
  NumberInput,
  Select,
  Stack,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import { ApiError } from '../../api/client'
import { useCan } from '../../app/session'
import { ConfirmButton } from '../../components/ConfirmButton'
import { dateTime } from '../../components/format'
import { fieldErrorsOf, generalError } from '../../components/field-errors'
import { Loaded } from '../../components/lists'
import { ExecutionList } from './ExecutionLog'
import { ModeBadge, useSetMode } from './RulesPage'
import {
  createRule,
  deleteRule,
  getRule,
  listVersions,
  type Rule,
  type RuleBody,
  type RuleMode,
  type RuleProblem,
  ruleKeys,
  updateRule,
  validateRule,
} from './requests'
import { modeLabel, ruleModes, triggerLabel } from './rule-text'
import { SourceEditor } from './SourceEditor'
import { TestRun } from './TestRun'

/** `/rules/new` and `/rules/:id`: one rule's editor, its versions and what it did. */
export function RuleEditorPage() {
  const { id } = useParams()
  const rule = useQuery({ queryKey: ruleKeys.one(id ?? ''), queryFn: () => getRule(id!), enabled: !!id })
  if (!id) return <Editor rule={null} />
  return (
    <Loaded query={rule} skeleton={[40, 240, 120]}>
      {(r) => <Editor key={r.id} rule={r} />}
    </Loaded>
  )
}

type Form = { name: string; description: string; priority: number | ''; stop_processing: boolean; source: string }

const formOf = (r: Rule | null): Form => ({
  name: r?.name ?? '',
  description: r?.description ?? '',
  priority: r?.priority ?? '',
  stop_processing: r?.stop_processing ?? false,
  source: r?.source ?? '',
})

/** The server's verdict on a text, kept with the text it is about. */
function useValidation(source: string) {
  const [settled] = useDebouncedValue(source, 250)
  return useQuery({
    queryKey: ['rule-validate', settled],
    queryFn: async () => ({ source: settled, ...(await validateRule(settled)) }),
    enabled: settled.trim().length > 0,
    placeholderData: keepPreviousData,
    staleTime: Infinity,
  })
}

function Editor({ rule }: { rule: Rule | null }) {
  const can = useCan()
  const qc = useQueryClient()
  const navigate = useNavigate()
  const editable = can('rules.manage')
  const [form, setForm] = useState<Form>(() => formOf(rule))
  const [mode, setMode] = useState<RuleMode>('shadow')
  const put = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }))
  const validation = useValidation(form.source)
  const current = validation.data?.source === form.source ? validation.data : undefined

  const body = (): RuleBody => ({
    name: form.name.trim(),
    description: form.description,
    source: form.source,
    stop_processing: form.stop_processing,
    mode,
    ...(form.priority === '' ? {} : { priority: form.priority }),
  })
  const save = useMutation({
    meta: { inline: true },
    mutationFn: (b: RuleBody) => {
      if (!rule) return createRule(b)
      const { mode: _, ...changes } = b
      return updateRule(rule.id, changes)
    },
    onSuccess: async (saved) => {
      qc.setQueryData(ruleKeys.one(saved.id), saved)
      await qc.invalidateQueries({ queryKey: ruleKeys.all })
      if (!rule) navigate(`/rules/${saved.id}`, { replace: true })
      else setForm(formOf(saved))
    },
  })
  // A refused save's problems belong to the text it sent; once the text changes, the live check speaks for it.
  const saveProblems =
    save.error instanceof ApiError && save.variables?.source === form.source
      ? ((save.error.body.details?.problems as RuleProblem[] | undefined) ?? [])
      : []
  const problems = current?.problems ?? saveProblems
  const fields = fieldErrorsOf(save.error)
  const nameTaken = save.error instanceof ApiError && save.error.code === 'rule_name_taken'
  const general = nameTaken || saveProblems.length > 0 ? undefined : generalError(save.error, fields)
  const dirty = JSON.stringify(form) !== JSON.stringify(formOf(rule))

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Group gap="xs">
          <Title order={1} size="h3">
            {rule ? rule.name : 'New rule'}
          </Title>
          {rule && <ModeBadge mode={rule.mode} />}
          {rule && <Badge variant="outline">v{rule.version}</Badge>}
        </Group>
        <Anchor component={Link} to="/rules" size="sm">
          All rules
        </Anchor>
      </Group>
      {rule && editable && <ModeControls rule={rule} />}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Stack
            component="form"
            aria-label="Rule editor"
            gap="sm"
            onSubmit={(e) => {
              e.preventDefault()
              save.mutate(body())
            }}
          >
            <TextInput
              label="Name"
              required
              maxLength={200}
              readOnly={!editable}
              value={form.name}
              onChange={(e) => put('name', e.currentTarget.value)}
              error={nameTaken ? 'Another rule has this name' : fields.name}
            />
            <Textarea
              label="Description"
              autosize
              minRows={1}
              readOnly={!editable}
              value={form.description}
              onChange={(e) => put('description', e.currentTarget.value)}
              error={fields.description}
            />
            <SourceEditor
              value={form.source}
              onChange={(v) => put('source', v)}
              problems={problems}
              readOnly={!editable}
            />
            <Group gap="md" align="flex-end">
              <NumberInput
                label="Priority"
                description="Lower runs first"
                placeholder="After the others"
                w={170}
                allowDecimal={false}
                readOnly={!editable}
                value={form.priority}
                onChange={(v) => put('priority', typeof v === 'number' ? v : '')}
                error={fields.priority}
              />
              {!rule && (
                <Select
                  label="Mode"
                  w={170}
                  allowDeselect={false}
                  value={mode}
                  onChange={(v) => v && setMode(v as RuleMode)}
                  data={ruleModes.map((m) => ({ value: m, label: modeLabel[m] }))}
                />
              )}
              <Checkbox
                label="Stop processing later rules when this one fires"
                disabled={!editable}
                checked={form.stop_processing}
                onChange={(e) => put('stop_processing', e.currentTarget.checked)}
                mb={8}
              />
            </Group>
            {general && (
              <Alert color="red" role="alert">
                {general}
              </Alert>
            )}
            {editable && (
              <Group>
                <Button type="submit" loading={save.isPending} disabled={rule !== null && !dirty}>
                  {rule ? 'Save new version' : 'Save rule'}
                </Button>
                {rule && <DeleteRule rule={rule} />}
              </Group>
            )}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Stack gap="sm">
            <Understood validation={current} checking={validation.isFetching || form.source !== current?.source} />
            <TestRun source={form.source} disabled={!form.source.trim() || problems.length > 0} />
          </Stack>
        </Grid.Col>
      </Grid>
      {rule && <History rule={rule} />}
    </Stack>
  )
}

/** What the server understood of the text: the triggers it infers and the actions, in order. */
function Understood({
  validation,
  checking,
}: {
  validation: { ok: boolean; triggers: string[]; actions: { name: string; text: string }[] } | undefined
  checking: boolean
}) {
  return (
    <Card withBorder component="section" aria-label="What the rule does">
      <Title order={2} size="h5">
        What the rule does
      </Title>
      {!validation ? (
        <Text size="sm" c="dimmed" mt="xs">
          {checking ? 'Checking…' : 'Write a rule to see when it runs and what it does.'}
        </Text>
      ) : validation.ok ? (
        <Stack gap="xs" mt="xs">
          <Group gap={6} aria-label="Triggers" role="list">
            <Text size="sm" fw={500}>
              Runs on:
            </Text>
            {validation.triggers.map((t) => (
              <Badge key={t} role="listitem" variant="light" tt="none">
                {triggerLabel(t)}
              </Badge>
            ))}
          </Group>
          <Text size="sm" fw={500}>
            Then:
          </Text>
          <Stack component="ol" gap={2} m={0} pl="lg" aria-label="Rule actions">
            {validation.actions.map((a, i) => (
              <Text component="li" size="sm" ff="monospace" key={i}>
                {a.text}
              </Text>
            ))}
          </Stack>
        </Stack>
      ) : (
        <Text size="sm" mt="xs">
          The rule has problems: see the list under the text.
        </Text>
      )}
    </Card>
  )
}

function ModeControls({ rule }: { rule: Rule }) {
  const setMode = useSetMode()
  return (
    <Group gap="xs">
      {rule.mode !== 'active' && (
        <Button size="xs" color="teal.9" onClick={() => setMode.mutate({ rule, mode: 'active' })}>
          Turn on
        </Button>
      )}
      {rule.mode !== 'shadow' && (
        <Button size="xs" variant="default" onClick={() => setMode.mutate({ rule, mode: 'shadow' })}>
          Run in shadow
        </Button>
      )}
      {rule.mode !== 'disabled' && (
        <Button size="xs" variant="default" onClick={() => setMode.mutate({ rule, mode: 'disabled' })}>
          Disable
        </Button>
      )}
      <Text size="sm" c="dimmed">
        {rule.mode === 'shadow'
          ? 'In shadow, the rule logs what it would have done without doing it.'
          : rule.mode === 'active'
            ? 'The rule runs on every matching event.'
            : 'The rule does not run.'}
      </Text>
    </Group>
  )
}

function DeleteRule({ rule }: { rule: Rule }) {
  const qc = useQueryClient()
  const navigate = useNavigate()
  const remove = useMutation({
    mutationFn: () => deleteRule(rule.id),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ruleKeys.all })
      navigate('/rules')
    },
  })
  return (
    <ConfirmButton
      label="Delete rule"
      question={`Delete “${rule.name}”? It stops running; its execution log stays.`}
      confirm="Delete"
      onConfirm={() => remove.mutate()}
      pending={remove.isPending}
    />
  )
}

/** The rule's executions and versions. */
function History({ rule }: { rule: Rule }) {
  return (
    <Tabs defaultValue="executions" keepMounted={false}>
      <Tabs.List aria-label="Rule history">
        <Tabs.Tab value="executions">Executions</Tabs.Tab>
        <Tabs.Tab value="versions">Versions</Tabs.Tab>
      </Tabs.List>
      <Tabs.Panel value="executions" pt="sm">
        <ExecutionList filter={{ rule_id: rule.id }} showRule={false} />
      </Tabs.Panel>
      <Tabs.Panel value="versions" pt="sm">
        <Versions rule={rule} />
      </Tabs.Panel>
    </Tabs>
  )
}

function Versions({ rule }: { rule: Rule }) {
  const versions = useQuery({
    queryKey: [...ruleKeys.one(rule.id), 'versions', rule.version],
    queryFn: () => listVersions(rule.id),
  })
  return (
    <Loaded query={versions} skeleton={[80, 80]}>
      {(v) => (
        <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Versions">
          {[...v.data]
            .sort((a, b) => b.version - a.version)
            .map((x) => (
              <Card component="li" withBorder p="xs" key={x.version}>
                <Group gap="xs">
                  <Text size="sm" fw={600}>
                    Version {x.version}
                  </Text>
                  {x.version === rule.version && <Badge variant="light">Current</Badge>}
                  <Text size="xs" c="dimmed">
                    {dateTime(x.created_at)}
                  </Text>
                </Group>
                <Code block mt={4}>
                  {x.source}
                </Code>
              </Card>
            ))}
        </Stack>
      )}
    </Loaded>
  )
}
