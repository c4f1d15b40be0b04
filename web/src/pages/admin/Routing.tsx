import {
  ActionIcon,
  Button,
  Card,
  Fieldset,
  Group,
  MultiSelect,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core'
import { IconArrowDown, IconArrowUp, IconTrash } from '@tabler/icons-react'
import { useState, type FormEvent } from 'react'
import { api, ok } from '../../api/client'
import { useCarriers, useCaseTypes } from '../../app/directory'
import { useCan } from '../../app/session'
import { errorAt, fieldErrorsOf } from '../../components/field-errors'
import { usePaged } from '../../components/paged'
import { priorityOptions } from '../../components/priority'
import { SectionHeader } from '../../components/SectionHeader'
import type { CaseSettings } from './policy'
import { newRouteRow, strategyLabels, toRouteRows, toRoutingBody, type RouteRow, type Strategy } from './routing'
import { OtherErrors, SaveBar, useSaveCaseSettings } from './shared'

const strategies = Object.entries(strategyLabels).map(([value, label]) => ({ value: value as Strategy, label }))

/** Which team a new case goes to: the first rule whose conditions all match wins. */
export function Routing({ settings }: { settings: CaseSettings }) {
  const can = useCan()
  const save = useSaveCaseSettings()
  const [rows, setRows] = useState(() => toRouteRows(settings.routing))
  const [local, setLocal] = useState<Record<string, string>>({})
  const errors = { ...fieldErrorsOf(save.error), ...local }
  const editable = can('cases.configure')
  const types = useCaseTypes()
  const carriers = useCarriers()
  const { rows: teams } = usePaged(['teams', 'all'], (cursor) =>
    ok(api.GET('/api/v1/teams', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })),
  )
  const options: Options = {
    teams: teams.map((t) => ({ value: t.id, label: t.name })),
    types: (types.data ?? []).map((t) => ({ value: t.key, label: t.label })),
    carriers: (carriers.data ?? []).map((c) => c.code),
  }
  const set = (i: number, patch: Partial<RouteRow>) =>
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)))
  const move = (i: number, by: -1 | 1) =>
    setRows((rs) => {
      const next = [...rs]
      const [row] = next.splice(i, 1)
      if (row) next.splice(i + by, 0, row)
      return next
    })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const { body, errors: found } = toRoutingBody(rows)
    setLocal(found)
    if (body) save.mutate(body, { onSuccess: (saved) => setRows(toRouteRows(saved.routing)) })
  }
  return (
    <Stack gap="md" component="form" onSubmit={submit} aria-label="Routing rules">
      <SectionHeader
        title="Routing"
        description="Which team a new case goes to, and who in it takes the case. Rules are tried top to bottom; the first whose conditions all match wins; an empty condition matches anything."
      />
      <Fieldset variant="unstyled" disabled={!editable}>
        <Stack gap="sm">
          {rows.length === 0 && (
            <Text size="sm" c="dimmed">
              No routing rules: new cases stay unassigned until someone takes them.
            </Text>
          )}
          {rows.map((r, i) => (
            <RouteCard
              key={i}
              row={r}
              n={i + 1}
              options={options}
              editable={editable}
              last={i === rows.length - 1}
              errors={errors}
              set={(patch) => set(i, patch)}
              move={(by) => move(i, by)}
              remove={() => setRows((rs) => rs.filter((_, j) => j !== i))}
            />
          ))}
          {errors.routing && (
            <Text size="sm" c="red">
              {errors.routing}
            </Text>
          )}
          {editable && (
            <Group>
              <Button size="xs" variant="default" onClick={() => setRows((rs) => [...rs, newRouteRow()])}>
                Add routing rule
              </Button>
            </Group>
          )}
        </Stack>
      </Fieldset>
      <OtherErrors fields={errors} shown={['routing']} />
      <SaveBar
        saved={save.isSuccess && 'Routing saved.'}
        dismiss={save.reset}
        editable={editable}
        pending={save.isPending}
        discard={() => {
          setRows(toRouteRows(settings.routing))
          setLocal({})
          save.reset()
        }}
      >
        Save routing
      </SaveBar>
    </Stack>
  )
}

type Options = {
  teams: { value: string; label: string }[]
  types: { value: string; label: string }[]
  carriers: string[]
}

function RouteCard({
  row: r,
  n,
  options,
  editable,
  last,
  errors,
  set,
  move,
  remove,
}: {
  row: RouteRow
  n: number
  options: Options
  editable: boolean
  last: boolean
  errors: Record<string, string>
  set: (patch: Partial<RouteRow>) => void
  move: (by: -1 | 1) => void
  remove: () => void
}) {
  const at = `routing.${n - 1}`
  // A team deleted or a type archived since still shows, so the rule can be changed.
  const teamOptions = [
    ...options.teams,
    ...(r.team_id && !options.teams.some((t) => t.value === r.team_id)
      ? [{ value: r.team_id, label: 'Deleted team' }]
      : []),
  ]
  const typeOptions = [
    ...options.types,
    ...r.case_types
      .filter((k) => !options.types.some((t) => t.value === k))
      .map((k) => ({ value: k, label: `${k} (archived)` })),
  ]
  // A condition of the rule (empty: any), with the server's error for it.
  const condition = <K extends Exclude<keyof RouteRow, 'name' | 'team_id' | 'strategy'>>(key: K, label: string) => ({
    size: 'xs',
    label,
    placeholder: 'Any',
    value: r[key],
    onChange: (v: RouteRow[K]) => set({ [key]: v }),
    error: errorAt(errors, `${at}.when.${key}`),
  })
  return (
    <Card withBorder p="sm" aria-label={`Routing rule ${n}`}>
      <Group justify="space-between" align="flex-end" wrap="nowrap">
        <Group gap="xs" align="flex-start" grow style={{ flex: 1 }}>
          <TextInput
            size="xs"
            label={`Rule ${n}`}
            placeholder="e.g. High value to HighValue"
            value={r.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
            error={errors[`${at}.name`]}
          />
          <Select
            size="xs"
            label="Team"
            searchable
            data={teamOptions}
            value={r.team_id}
            onChange={(team_id) => set({ team_id })}
            error={errors[`${at}.team_id`]}
          />
          <Select
            size="xs"
            label="Assign"
            allowDeselect={false}
            data={strategies}
            value={r.strategy}
            onChange={(s) => s && set({ strategy: s })}
            error={errors[`${at}.strategy`]}
          />
        </Group>
        {editable && (
          <Group gap={2} wrap="nowrap">
            <ActionIcon variant="subtle" aria-label={`Move rule ${n} up`} disabled={n === 1} onClick={() => move(-1)}>
              <IconArrowUp size={16} />
            </ActionIcon>
            <ActionIcon variant="subtle" aria-label={`Move rule ${n} down`} disabled={last} onClick={() => move(1)}>
              <IconArrowDown size={16} />
            </ActionIcon>
            <ActionIcon variant="subtle" color="red" aria-label={`Remove rule ${n}`} onClick={remove}>
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        )}
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 5 }} spacing="xs" mt="xs">
        <MultiSelect {...condition('case_types', 'Case types')} searchable data={typeOptions} />
        <TagsInput {...condition('carriers', 'Carriers')} data={options.carriers} />
        <TagsInput {...condition('fulfilment_centres', 'Fulfilment centres')} />
        <TagsInput {...condition('product_categories', 'Product categories')} />
        <MultiSelect {...condition('priorities', 'Priorities')} data={priorityOptions} />
      </SimpleGrid>
    </Card>
  )
}
