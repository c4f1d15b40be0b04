import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  List,
  MultiSelect,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Table,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ok, type Reply } from '../../api/client'
import { useCaseTypes, usePeople, useTeams } from '../../app/directory'
import { useCan } from '../../app/session'
import { CasePicker } from '../../components/CasePicker'
import { ConfirmButton } from '../../components/ConfirmButton'
import { errorAt, fieldErrorsOf } from '../../components/field-errors'
import { dateTime } from '../../components/format'
import { bindForm, Dialog, FormActions, FormDialog } from '../../components/form'
import { ListTable } from '../../components/lists'
import { useCurrencies, useMoney } from '../../components/money'
import { priorityOptions } from '../../components/priority'
import { NewButton, SectionHeader } from '../../components/SectionHeader'
import { targetLabel } from '../../components/sla'
import { useCalendars } from './Calendars'
import {
  actionTypes,
  builtinTargets,
  conditionFields,
  conditionText,
  draftChanged,
  minutesText,
  newAction,
  newCondition,
  newStep,
  newTarget,
  notifyWho,
  policyFieldErrors,
  type ConditionField,
  type ConditionRow,
  type Policy,
  type PolicyForm,
  reassignStrategies,
  remedies,
  type StepAction,
  type StepRow,
  type TargetRow,
  tierColor,
  tiers,
  toDefinition,
  toForm,
} from './sla-policy'

const usePolicies = () =>
  useQuery({ queryKey: ['sla-policies'], queryFn: () => ok(api.GET('/api/v1/sla/policies')), select: (r) => r.data })

function useExponent() {
  const currencies = useCurrencies()
  return (currency: string) => currencies.data?.find((c) => c.code === currency)?.exponent ?? 2
}

export function SlaPolicies() {
  const can = useCan()
  const qc = useQueryClient()
  const list = usePolicies()
  const [editing, setEditing] = useState<{ policy: Policy | null } | null>(null)
  const [history, setHistory] = useState<Policy | null>(null)
  const rows = list.data ?? []
  // Moving a policy renumbers the ordinary ones 10, 20, 30… in their new order (the fallback stays last).
  const move = useMutation({
    mutationFn: async ({ from, to }: { from: number; to: number }) => {
      const order = rows.filter((p) => !p.fallback)
      const [moved] = order.splice(from, 1)
      order.splice(to, 0, moved!)
      for (const [i, p] of order.entries())
        if (p.position !== (i + 1) * 10)
          await ok(
            api.PUT('/api/v1/sla/policies/{id}', { params: { path: { id: p.id } }, body: { position: (i + 1) * 10 } }),
          )
    },
    onSettled: () => qc.invalidateQueries({ queryKey: ['sla-policies'] }),
  })
  const last = rows.filter((p) => !p.fallback).length - 1
  return (
    <Stack gap="md">
      <SectionHeader
        title="SLA policies"
        description="Tried in order: the first whose conditions all hold applies to a new case; the fallback catches the rest"
        action={
          <Group gap="xs">
            <PreviewButton />
            {can('sla.manage') && <NewButton onClick={() => setEditing({ policy: null })}>New policy</NewButton>}
          </Group>
        }
      />
      <ListTable
        label="SLA policies"
        columns={['', 'Policy', 'Tier', 'Conditions', 'Targets', 'Version', '']}
        query={list}
        skeleton={200}
        empty="No SLA policies."
        rows={rows}
        row={(p) => {
          const i = rows.filter((x) => !x.fallback).indexOf(p)
          return (
            <PolicyRow
              key={p.id}
              policy={p}
              up={!p.fallback && i > 0 ? () => move.mutate({ from: i, to: i - 1 }) : undefined}
              down={!p.fallback && i < last ? () => move.mutate({ from: i, to: i + 1 }) : undefined}
              edit={() => setEditing({ policy: p })}
              versions={() => setHistory(p)}
            />
          )
        }}
      />
      <PauseSettings />
      {editing && <PolicyModal policy={editing.policy} close={() => setEditing(null)} />}
      {history && <VersionsModal policy={history} close={() => setHistory(null)} />}
    </Stack>
  )
}

function PolicyRow({
  policy: p,
  up,
  down,
  edit,
  versions,
}: {
  policy: Policy
  up?: () => void
  down?: () => void
  edit: () => void
  versions: () => void
}) {
  const can = useCan()
  const money = useMoney()
  const qc = useQueryClient()
  const remove = useMutation({
    mutationFn: () => ok(api.DELETE('/api/v1/sla/policies/{id}', { params: { path: { id: p.id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['sla-policies'] }),
  })
  return (
    <Table.Tr data-policy={p.name}>
      <Table.Td w={70}>
        {can('sla.manage') && !p.fallback && (
          <Group gap={2} wrap="nowrap">
            <ActionIcon size="sm" variant="subtle" disabled={!up} onClick={up} aria-label={`Move ${p.name} up`}>
              ↑
            </ActionIcon>
            <ActionIcon size="sm" variant="subtle" disabled={!down} onClick={down} aria-label={`Move ${p.name} down`}>
              ↓
            </ActionIcon>
          </Group>
        )}
      </Table.Td>
      <Table.Td>
        <Group gap={6}>
          <Text fw={600} size="sm">
            {p.name}
          </Text>
          {p.fallback && (
            <Badge size="xs" variant="outline" color="gray">
              Fallback
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <Badge color={tierColor[p.live.tier]} variant="filled">
          {p.live.tier}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Text size="sm">
          {p.live.conditions.length ? p.live.conditions.map((c) => conditionText(c, money)).join('; ') : 'Every case'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">
          {p.live.targets
            .map((t) => `${targetLabel(t.target)} ${minutesText(t.minutes)}${t.calendar_id ? ' (business)' : ''}`)
            .join(', ')}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          <Text size="sm">v{p.live_version}</Text>
          {draftChanged(p) && (
            <Badge size="xs" color="gray.7" variant="filled">
              Unpublished draft
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <Button size="xs" variant="subtle" onClick={versions} aria-label={`Versions of ${p.name}`}>
            History
          </Button>
          {can('sla.manage') && (
            <Button size="xs" variant="default" onClick={edit} aria-label={`Edit ${p.name}`}>
              Edit
            </Button>
          )}
          {can('sla.manage') && !p.fallback && (
            <ConfirmButton
              label="Delete"
              ariaLabel={`Delete ${p.name}`}
              pending={remove.isPending}
              confirm="Delete"
              question={`Delete ${p.name}? Running cases keep their clocks; new cases get the next policy that matches.`}
              onConfirm={() => remove.mutate()}
            />
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  )
}

function PolicyModal({ policy, close }: { policy: Policy | null; close: () => void }) {
  const qc = useQueryClient()
  const exponent = useExponent()
  const merchant = useQuery({ queryKey: ['merchant'], queryFn: () => ok(api.GET('/api/v1/merchant')) })
  const currency = merchant.data?.default_currency ?? 'GBP'
  const [form, setForm] = useState<PolicyForm>(() =>
    policy
      ? toForm(policy.name, policy.draft, exponent)
      : {
          name: '',
          tier: 'medium',
          conditions: [],
          targets: [newTarget('first_response')],
          alert_calendar_id: '',
        },
  )
  const [local, setLocal] = useState<Record<string, string>>({})
  const save = useMutation({
    meta: { fieldErrors: true },
    mutationFn: async ({ publish }: { publish: boolean }) => {
      const { definition, errors } = toDefinition(form, exponent)
      setLocal(errors)
      if (Object.keys(errors).length) throw new Error('Check the highlighted fields')
      const name = form.name.trim()
      if (!policy) return ok(api.POST('/api/v1/sla/policies', { body: { name, ...definition } }))
      const path = { params: { path: { id: policy.id } } }
      const saved = await ok(api.PUT('/api/v1/sla/policies/{id}', { ...path, body: { name, draft: definition } }))
      return publish ? ok(api.POST('/api/v1/sla/policies/{id}/publish', path)) : saved
    },
    onSuccess: () => {
      close()
      return qc.invalidateQueries({ queryKey: ['sla-policies'] })
    },
  })
  const errors = { ...policyFieldErrors(fieldErrorsOf(save.error)), ...local }
  const put = <K extends keyof PolicyForm>(key: K, value: PolicyForm[K]) => setForm((f) => ({ ...f, [key]: value }))
  const calendars = useCalendars()
  const calendarOptions = [
    { value: '', label: 'Calendar time (24/7)' },
    ...(calendars.data ?? []).map((c) => ({ value: c.id, label: `Business hours: ${c.name}` })),
  ]
  const shown = ['name', 'conditions', 'targets', 'tier', 'alert_calendar_id']
  const other = Object.entries(errors).filter(([k]) => !shown.some((p) => k === p || k.startsWith(`${p}.`)))
  return (
    <FormDialog
      opened
      onClose={close}
      title={policy ? `Edit ${policy.name}` : 'New SLA policy'}
      size="80rem"
      submit={() => save.mutate({ publish: true })}
    >
      <Group grow align="flex-start">
        <TextInput label="Name" required {...bindForm(form, setForm, errors).text('name')} />
        <Select
          label="Tier"
          allowDeselect={false}
          data={tiers.map((t) => ({ value: t, label: t }))}
          value={form.tier}
          onChange={(v) => v && put('tier', v as PolicyForm['tier'])}
          error={errors.tier}
        />
        <Select
          label="Hold alerts outside"
          description="Alerts that are not urgent wait for these hours when the case's team has none of its own"
          allowDeselect={false}
          data={[{ value: '', label: 'Never held' }, ...calendarOptions.slice(1)]}
          value={form.alert_calendar_id}
          onChange={(v) => put('alert_calendar_id', v ?? '')}
          error={errors.alert_calendar_id}
        />
      </Group>
      {policy?.fallback ? (
        <Text size="sm" c="dimmed">
          The fallback applies to every case no other policy matches: it has no conditions.
        </Text>
      ) : (
        <Conditions
          rows={form.conditions}
          set={(rows) => put('conditions', rows)}
          errors={errors}
          currency={currency}
        />
      )}
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={500} size="sm">
            Targets
          </Text>
          <Select
            size="xs"
            w={200}
            placeholder="Add a target…"
            aria-label="Add a target"
            value={null}
            data={[...builtinTargets, 'custom milestone']
              .filter((t) => !form.targets.some((x) => x.target === t))
              .map((t) => ({ value: t, label: targetLabel(t) }))}
            onChange={(t) =>
              t && put('targets', [...form.targets, newTarget(t === 'custom milestone' ? 'milestone' : t)])
            }
          />
        </Group>
        {errorAt(errors, 'targets') && !Object.keys(errors).some((k) => /^targets\.\d/.test(k)) && (
          <Text size="sm" c="red">
            {errorAt(errors, 'targets')}
          </Text>
        )}
        {form.targets.map((t, i) => (
          <TargetEditor
            key={i}
            row={t}
            set={(row) =>
              put(
                'targets',
                form.targets.map((x, j) => (j === i ? row : x)),
              )
            }
            remove={() =>
              put(
                'targets',
                form.targets.filter((_, j) => j !== i),
              )
            }
            errors={Object.fromEntries(
              Object.entries(errors)
                .filter(([k]) => k.startsWith(`targets.${i}.`) || k === `targets.${i}`)
                .map(([k, v]) => [k.slice(`targets.${i}`.length + 1) || 'target', v]),
            )}
            calendars={calendarOptions}
          />
        ))}
      </Stack>
      {other.length > 0 && (
        <Alert color="red" p="xs" title="The policy is not valid">
          <List size="sm">
            {other.map(([k, v]) => (
              <List.Item key={k}>
                <code>{k}</code>: {v}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={close}>
          Cancel
        </Button>
        {policy && (
          <Button variant="default" loading={save.isPending} onClick={() => save.mutate({ publish: false })}>
            Save draft
          </Button>
        )}
        <Button type="submit" loading={save.isPending} disabled={!form.name.trim()}>
          {policy ? 'Publish as new version' : 'Create policy'}
        </Button>
      </Group>
    </FormDialog>
  )
}

function Conditions({
  rows,
  set,
  errors,
  currency,
}: {
  rows: ConditionRow[]
  set: (rows: ConditionRow[]) => void
  errors: Record<string, string>
  currency: string
}) {
  const types = useCaseTypes()
  const change = (i: number, row: ConditionRow) => set(rows.map((x, j) => (j === i ? row : x)))
  const comparison = (i: number, c: ConditionRow, ops: Record<string, string>) => (
    <Select
      size="xs"
      w={130}
      aria-label={`Condition ${i + 1} comparison`}
      allowDeselect={false}
      data={Object.entries(ops).map(([value, label]) => ({ value, label }))}
      value={c.op}
      onChange={(v) => v && change(i, { ...c, op: v } as ConditionRow)}
    />
  )
  const suggestions: Partial<Record<ConditionField, string[]>> = {
    case_type: types.data?.map((t) => t.key) ?? [],
    priority: priorityOptions.map((p) => p.value),
    customer_segment: ['vip', 'business', 'retail', 'reseller'],
    channel: ['email', 'chat', 'phone', 'portal', 'carrier', 'api'],
  }
  return (
    <Stack gap="xs" role="group" aria-label="Conditions">
      <Group justify="space-between">
        <Text fw={500} size="sm">
          Conditions (all must hold)
        </Text>
        <Select
          size="xs"
          w={200}
          placeholder="Add a condition…"
          aria-label="Add a condition"
          value={null}
          data={Object.entries(conditionFields).map(([value, label]) => ({ value, label }))}
          onChange={(f) => f && set([...rows, newCondition(f as ConditionField, currency)])}
        />
      </Group>
      {!rows.length && (
        <Text size="sm" c="dimmed">
          No conditions: every case matches.
        </Text>
      )}
      {rows.map((c, i) => (
        <Group key={i} gap="xs" align="flex-start" wrap="nowrap">
          <Text size="sm" w={140} mt={4}>
            {conditionFields[c.field]}
          </Text>
          {c.field === 'value' ? (
            <>
              {comparison(i, c, { gte: 'at least', lt: 'less than' })}
              <TextInput
                size="xs"
                w={120}
                aria-label={`Condition ${i + 1} amount`}
                value={c.amount}
                onChange={(e) => change(i, { ...c, amount: e.currentTarget.value })}
                error={errors[`conditions.${i}.amount`] ?? errorAt(errors, `conditions.${i}`)}
              />
              <TextInput
                size="xs"
                w={70}
                aria-label={`Condition ${i + 1} currency`}
                value={c.currency}
                onChange={(e) => change(i, { ...c, currency: e.currentTarget.value.toUpperCase() })}
              />
            </>
          ) : (
            <>
              {comparison(i, c, { in: 'is one of', not_in: 'is none of' })}
              <TagsInput
                size="xs"
                style={{ flex: 1 }}
                aria-label={`Condition ${i + 1} values`}
                placeholder="Type a value, then Enter"
                data={suggestions[c.field] ?? []}
                value={c.values}
                onChange={(values) => change(i, { ...c, values })}
                error={errorAt(errors, `conditions.${i}`)}
              />
            </>
          )}
          <ActionIcon
            variant="subtle"
            color="red"
            aria-label={`Remove condition ${i + 1}`}
            onClick={() => set(rows.filter((_, j) => j !== i))}
          >
            ×
          </ActionIcon>
        </Group>
      ))}
    </Stack>
  )
}

function TargetEditor({
  row: t,
  set,
  remove,
  errors,
  calendars,
}: {
  row: TargetRow
  set: (row: TargetRow) => void
  remove: () => void
  errors: Record<string, string>
  calendars: { value: string; label: string }[]
}) {
  const custom = !(builtinTargets as readonly string[]).includes(t.target)
  const name = targetLabel(t.target)
  const setStep = (j: number, step: StepRow) => set({ ...t, steps: t.steps.map((s, k) => (k === j ? step : s)) })
  return (
    <Paper withBorder p="xs" role="group" aria-label={`Target ${name}`}>
      <Stack gap={6}>
        <Group gap="xs" align="flex-start" wrap="wrap">
          {custom ? (
            <>
              <TextInput
                size="xs"
                w={160}
                label="Milestone key"
                value={t.target}
                onChange={(e) => set({ ...t, target: e.currentTarget.value })}
                error={errors.target}
              />
              <TextInput
                size="xs"
                w={220}
                label="Met by the event"
                placeholder="case.evidence_complete"
                value={t.milestone_event}
                onChange={(e) => set({ ...t, milestone_event: e.currentTarget.value })}
                error={errors.milestone_event}
              />
            </>
          ) : (
            <Text fw={600} size="sm" w={130} mt={26}>
              {name}
            </Text>
          )}
          <TextInput
            size="xs"
            w={90}
            label="Within"
            aria-label={`${name} within`}
            value={t.amount}
            onChange={(e) => set({ ...t, amount: e.currentTarget.value })}
            error={errors.minutes}
          />
          <SegmentedControl
            size="xs"
            mt={22}
            aria-label={`${name} unit`}
            value={t.unit}
            onChange={(v) => set({ ...t, unit: v as TargetRow['unit'] })}
            data={[
              { value: 'minutes', label: 'minutes' },
              { value: 'hours', label: 'hours' },
            ]}
          />
          <Select
            size="xs"
            w={240}
            label="Counted in"
            aria-label={`${name} counted in`}
            allowDeselect={false}
            data={calendars}
            value={t.calendar_id}
            onChange={(v) => set({ ...t, calendar_id: v ?? '' })}
            error={errors.calendar_id}
          />
          <Button size="xs" variant="subtle" mt={22} onClick={() => set({ ...t, steps: [...t.steps, newStep()] })}>
            Add step
          </Button>
          <ActionIcon variant="subtle" color="red" mt={24} aria-label={`Remove target ${name}`} onClick={remove}>
            ×
          </ActionIcon>
        </Group>
        {t.steps.map((s, j) => (
          <StepEditor
            key={j}
            label={`${name} step ${j + 1}`}
            step={s}
            set={(step) => setStep(j, step)}
            remove={() => set({ ...t, steps: t.steps.filter((_, k) => k !== j) })}
            error={errorAt(errors, `steps.${j}`)}
          />
        ))}
      </Stack>
    </Paper>
  )
}

function StepEditor({
  label,
  step: s,
  set,
  remove,
  error,
}: {
  label: string
  step: StepRow
  set: (s: StepRow) => void
  remove: () => void
  error?: string
}) {
  const setAction = (k: number, a: StepAction) => set({ ...s, actions: s.actions.map((x, i) => (i === k ? a : x)) })
  return (
    <Group gap="xs" align="flex-start" wrap="nowrap" pl="md" role="group" aria-label={label}>
      <Text size="sm" mt={4} w={50}>
        Step
      </Text>
      <TextInput
        size="xs"
        w={70}
        aria-label={`${label} at`}
        value={s.at}
        onChange={(e) => set({ ...s, at: e.currentTarget.value })}
        error={error}
      />
      <Select
        size="xs"
        w={150}
        aria-label={`${label} measured as`}
        allowDeselect={false}
        data={[
          { value: 'percent', label: '% of the target' },
          { value: 'offset', label: 'min from due' },
        ]}
        value={s.mode}
        onChange={(v) => v && set({ ...s, mode: v as StepRow['mode'] })}
      />
      <Stack gap={4} style={{ flex: 1 }}>
        {s.actions.map((a, k) => (
          <ActionEditor
            key={k}
            label={`${label} action ${k + 1}`}
            action={a}
            set={(x) => setAction(k, x)}
            remove={
              s.actions.length > 1 ? () => set({ ...s, actions: s.actions.filter((_, i) => i !== k) }) : undefined
            }
          />
        ))}
        <Button
          size="compact-xs"
          variant="subtle"
          style={{ alignSelf: 'flex-start' }}
          onClick={() => set({ ...s, actions: [...s.actions, newAction('notify')] })}
        >
          + action
        </Button>
      </Stack>
      <Checkbox
        mt={4}
        size="xs"
        label="Urgent"
        title="Alerts go out even outside the team's hours"
        checked={s.urgent}
        onChange={(e) => set({ ...s, urgent: e.currentTarget.checked })}
      />
      <ActionIcon variant="subtle" color="red" aria-label={`Remove ${label}`} onClick={remove}>
        ×
      </ActionIcon>
    </Group>
  )
}

function ActionEditor({
  label,
  action: a,
  set,
  remove,
}: {
  label: string
  action: StepAction
  set: (a: StepAction) => void
  remove?: () => void
}) {
  const people = usePeople()
  const teams = useTeams()
  const options = (o: Record<string, string>) => Object.entries(o).map(([value, label]) => ({ value, label }))
  return (
    <Group gap={4} wrap="nowrap">
      <Select
        size="xs"
        w={140}
        aria-label={label}
        allowDeselect={false}
        data={options(actionTypes)}
        value={a.type}
        onChange={(v) => v && set(newAction(v as keyof typeof actionTypes))}
      />
      {a.type === 'notify' && (
        <>
          <Select
            size="xs"
            w={140}
            aria-label={`${label} who`}
            allowDeselect={false}
            data={options(notifyWho)}
            value={a.to}
            onChange={(v) => v && set({ type: 'notify', to: v as typeof a.to })}
          />
          {a.to === 'user' && (
            <Select
              size="xs"
              w={160}
              aria-label={`${label} person`}
              searchable
              data={people.data?.map((p) => ({ value: p.id, label: p.name })) ?? []}
              value={a.user_id ?? null}
              onChange={(v) => set({ ...a, user_id: v ?? undefined })}
            />
          )}
        </>
      )}
      {a.type === 'reassign' && (
        <>
          <Select
            size="xs"
            w={130}
            aria-label={`${label} strategy`}
            allowDeselect={false}
            data={options(reassignStrategies)}
            value={a.strategy}
            onChange={(v) => v && set({ ...a, strategy: v as typeof a.strategy })}
          />
          <Select
            size="xs"
            w={150}
            aria-label={`${label} team`}
            placeholder="The case's team"
            clearable
            data={teams.data?.map((t) => ({ value: t.id, label: t.name })) ?? []}
            value={a.team_id ?? null}
            onChange={(v) => set({ ...a, team_id: v ?? undefined })}
          />
        </>
      )}
      {a.type === 'raise_priority' && (
        <Select
          size="xs"
          w={140}
          aria-label={`${label} to`}
          placeholder="One level up"
          clearable
          data={priorityOptions}
          value={a.to ?? null}
          onChange={(v) => set({ type: 'raise_priority', ...(v ? { to: v as NonNullable<typeof a.to> } : {}) })}
        />
      )}
      {a.type === 'add_tag' && (
        <TextInput
          size="xs"
          w={140}
          aria-label={`${label} tag`}
          value={a.tag}
          onChange={(e) => set({ type: 'add_tag', tag: e.currentTarget.value })}
        />
      )}
      {a.type === 'remedy' && (
        <Select
          size="xs"
          w={180}
          aria-label={`${label} remedy`}
          allowDeselect={false}
          data={options(remedies)}
          value={a.remedy}
          onChange={(v) => v && set({ ...a, remedy: v as typeof a.remedy })}
        />
      )}
      {remove && (
        <ActionIcon size="sm" variant="subtle" color="red" aria-label={`Remove ${label}`} onClick={remove}>
          ×
        </ActionIcon>
      )}
    </Group>
  )
}

type Preview = Reply<'/api/v1/sla/policies/preview', 'post'>

/** "Which policy applies to this case?": pick a case, see each policy tried in order and each condition judged. */
function PreviewButton() {
  const [opened, setOpened] = useState(false)
  const [result, setResult] = useState<Preview | null>(null)
  const preview = useMutation({
    mutationFn: (caseId: string) => ok(api.POST('/api/v1/sla/policies/preview', { body: { case_id: caseId } })),
    onSuccess: (r) => {
      setOpened(false)
      setResult(r)
    },
  })
  return (
    <>
      <Button size="xs" variant="default" onClick={() => setOpened(true)}>
        Which policy applies to a case?
      </Button>
      <CasePicker
        opened={opened}
        close={() => setOpened(false)}
        title="Which policy applies to this case?"
        action="Check"
        exclude=""
        busy={preview.isPending}
        onPick={(ids) => ids[0] && preview.mutate(ids[0])}
      />
      {result && (
        <Dialog opened onClose={() => setResult(null)} title="Which policy applies" size="lg">
          <Stack gap="sm" aria-label="Policy preview" role="region">
            <Text>
              <b>{result.policy_name}</b> (tier {result.tier}, version {result.policy_version}) applies.
            </Text>
            {result.tried.map((t) => (
              <Paper key={t.policy_id} withBorder p="xs">
                <Group gap="xs">
                  <Badge color={t.matched ? 'teal.9' : 'gray.7'} variant="filled">
                    {t.matched ? 'Matches' : 'No match'}
                  </Badge>
                  <Text size="sm" fw={600}>
                    {t.name}
                  </Text>
                </Group>
                <List size="sm" mt={4}>
                  {t.conditions.map((c, i) => (
                    <List.Item key={i}>
                      {c.matched ? '✓' : '✗'} {conditionFields[c.field as ConditionField] ?? c.field} {c.op}: the case
                      has {c.actual === null || c.actual === undefined ? 'none' : JSON.stringify(c.actual)}
                    </List.Item>
                  ))}
                  {!t.conditions.length && <List.Item>No conditions: every case</List.Item>}
                </List>
              </Paper>
            ))}
          </Stack>
        </Dialog>
      )}
    </>
  )
}

function VersionsModal({ policy, close }: { policy: Policy; close: () => void }) {
  const money = useMoney()
  const versions = useQuery({
    queryKey: ['sla-policies', policy.id, 'versions'],
    queryFn: () => ok(api.GET('/api/v1/sla/policies/{id}/versions', { params: { path: { id: policy.id } } })),
    select: (r) => [...r.data].sort((a, b) => b.version - a.version),
  })
  const name = usePeople()
  return (
    <Dialog opened onClose={close} title={`Versions of ${policy.name}`} size="xl">
      <ListTable
        label="Versions"
        columns={['Version', 'Published', 'Tier', 'Conditions', 'Targets']}
        query={versions}
        skeleton={120}
        empty="No versions."
        rows={versions.data ?? []}
        row={(v) => (
          <Table.Tr key={v.version}>
            <Table.Td>
              v{v.version}
              {v.version === policy.live_version && (
                <Badge size="xs" ml={4} color="teal.9" variant="filled">
                  live
                </Badge>
              )}
            </Table.Td>
            <Table.Td>
              <Text size="sm">{dateTime(v.published_at)}</Text>
              <Text size="xs" c="dimmed">
                {name.data?.find((p) => p.id === v.published_by)?.name ?? v.published_by ?? 'Claimdesk'}
              </Text>
            </Table.Td>
            <Table.Td>{v.definition.tier}</Table.Td>
            <Table.Td>
              <Text size="sm">{v.definition.conditions.map((c) => conditionText(c, money)).join('; ') || '—'}</Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">
                {v.definition.targets
                  .map(
                    (t) =>
                      `${targetLabel(t.target)} ${minutesText(t.minutes)}${t.steps?.length ? ` (${t.steps.length} steps)` : ''}`,
                  )
                  .join(', ')}
              </Text>
            </Table.Td>
          </Table.Tr>
        )}
      />
      <FormActions cancel={close} loading={false} disabled>
        Close
      </FormActions>
    </Dialog>
  )
}

const pauseLabels = {
  waiting_customer: 'Waiting on customer',
  waiting_carrier: 'Waiting on carrier',
  on_hold: 'On hold',
}

/** The statuses that stop the clocks: waiting on someone else is not the team's time. */
function PauseSettings() {
  const can = useCan()
  const qc = useQueryClient()
  const settings = useQuery({ queryKey: ['sla-settings'], queryFn: () => ok(api.GET('/api/v1/sla/settings')) })
  const [value, setValue] = useState<string[] | null>(null)
  const save = useMutation({
    mutationFn: (pause_statuses: string[]) =>
      ok(
        api.PUT('/api/v1/sla/settings', {
          body: { pause_statuses: pause_statuses as (keyof typeof pauseLabels)[] },
        }),
      ),
    onSuccess: (s) => {
      qc.setQueryData(['sla-settings'], s)
      setValue(null)
    },
  })
  const current = value ?? settings.data?.pause_statuses ?? []
  return (
    <Paper withBorder p="sm">
      <Group align="flex-end">
        <MultiSelect
          label="Pause the clocks while a case is"
          description="Paused time is not counted and is shown on the case"
          w={420}
          data={Object.entries(pauseLabels).map(([v, label]) => ({ value: v, label }))}
          value={current}
          onChange={setValue}
          disabled={!can('sla.manage')}
        />
        {can('sla.manage') && (
          <Button size="sm" disabled={value === null} loading={save.isPending} onClick={() => save.mutate(current)}>
            Save pause statuses
          </Button>
        )}
      </Group>
    </Paper>
  )
}
