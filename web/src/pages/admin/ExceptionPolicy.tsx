import {
  ActionIcon,
  Button,
  Card,
  Fieldset,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
} from '@mantine/core'
import { IconTrash } from '@tabler/icons-react'
import { type Dispatch, Fragment, type FormEvent, type SetStateAction, useState } from 'react'
import { useCaseTypes } from '../../app/directory'
import { useCan } from '../../app/session'
import { dateTime } from '../../components/format'
import { fieldErrorsOf } from '../../components/field-errors'
import { bindForm } from '../../components/form'
import { Loaded } from '../../components/lists'
import { priorityOptions } from '../../components/priority'
import { SectionHeader } from '../../components/SectionHeader'
import { CarrierOverrides } from './CarrierOverrides'
import {
  newRuleRow,
  toPolicyForm,
  toSettingsBody,
  triggerLabels,
  type CaseSettings,
  type PolicyForm,
  type RuleRow,
  type Trigger,
} from './policy'
import { Routing } from './Routing'
import { OtherErrors, SaveBar, useCaseSettings, useSaveCaseSettings } from './shared'

const triggers = Object.entries(triggerLabels).map(([value, label]) => ({ value: value as Trigger, label }))

/** Which carrier signals open which case types, and how cases live on after resolving; then routing. */
export function ExceptionPolicy() {
  const settings = useCaseSettings()
  return (
    <Loaded query={settings} skeleton={[40, 360]}>
      {(data) => (
        <Stack gap="xl">
          <PolicyEditor settings={data} />
          <Routing settings={data} />
        </Stack>
      )}
    </Loaded>
  )
}

function PolicyEditor({ settings }: { settings: CaseSettings }) {
  const can = useCan()
  const types = useCaseTypes()
  const save = useSaveCaseSettings()
  const [form, setForm] = useState<PolicyForm>(() => toPolicyForm(settings))
  const [local, setLocal] = useState<Record<string, string>>({})
  const [openCarriers, setOpenCarriers] = useState<number | null>(null)
  const errors = { ...fieldErrorsOf(save.error), ...local }
  const editable = can('cases.configure')
  // Rules may name a type archived since; keep it visible so the rule can be seen and changed.
  const typeOptions = [
    ...(types.data ?? []).map((t) => ({ value: t.key, label: t.label })),
    ...form.rules.flatMap((r) =>
      r.case_type && !types.data?.some((t) => t.key === r.case_type)
        ? [{ value: r.case_type, label: `${r.case_type} (archived or missing)` }]
        : [],
    ),
  ].filter((o, i, all) => all.findIndex((x) => x.value === o.value) === i)

  const setRule = (i: number, patch: Partial<RuleRow>) =>
    setForm((f) => ({ ...f, rules: f.rules.map((r, j) => (j === i ? { ...r, ...patch } : r)) }))
  const removeRule = (i: number) => {
    setForm((f) => ({ ...f, rules: f.rules.filter((_, j) => j !== i) }))
    setOpenCarriers(null)
  }
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const { body, errors: found } = toSettingsBody(form)
    setLocal(found)
    if (body) save.mutate(body, { onSuccess: (saved) => setForm(toPolicyForm(saved)) })
  }

  return (
    <Stack gap="md" component="form" onSubmit={submit} aria-label="Exception policy">
      <SectionHeader
        title="Exception policy"
        description={`Which carrier statuses open which case types. ${settings.updated_at ? `Last changed ${dateTime(settings.updated_at)}.` : 'These are the defaults; nothing has been changed yet.'}`}
      />
      <Fieldset variant="unstyled" disabled={!editable}>
        <Stack gap="md">
          <Table.ScrollContainer minWidth={880}>
            <Table aria-label="Policy rules" verticalSpacing={6}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>On</Table.Th>
                  <Table.Th>When the carrier reports</Table.Th>
                  <Table.Th>Open a case of type</Table.Th>
                  <Table.Th>Priority</Table.Th>
                  <Table.Th>Watch for</Table.Th>
                  <Table.Th>Per carrier</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {form.rules.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={7}>
                      <Text size="sm" c="dimmed">
                        No rules: carrier statuses open no cases.
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
                {form.rules.map((r, i) => {
                  const n = i + 1
                  const at = `exception_policy.rules.${i}`
                  // Read-only, the toggle is disabled with the rest: overrides are shown open instead.
                  const carriersOpen = openCarriers === i || (!editable && r.carriers.length > 0)
                  // An input bound to one field of the rule, named for screen readers.
                  const cell = <K extends 'on' | 'case_type' | 'priority' | 'watch_hours'>(
                    key: K,
                    label: string,
                    placeholder?: string,
                  ) => ({
                    size: 'xs',
                    'aria-label': `Rule ${n}: ${label}`,
                    placeholder,
                    value: r[key],
                    onChange: (v: RuleRow[K]) => setRule(i, { [key]: v }),
                    error: errors[`${at}.${key}`],
                  })
                  return (
                    <Fragment key={i}>
                      <Table.Tr>
                        <Table.Td>
                          <Switch
                            aria-label={`Rule ${n} on`}
                            checked={r.enabled}
                            onChange={(e) => setRule(i, { enabled: e.currentTarget.checked })}
                          />
                        </Table.Td>
                        <Table.Td>
                          <Select {...cell('on', 'carrier status', 'Choose a status')} searchable data={triggers} />
                        </Table.Td>
                        <Table.Td>
                          <Select {...cell('case_type', 'case type', 'Choose a type')} searchable data={typeOptions} />
                        </Table.Td>
                        <Table.Td>
                          <Select
                            {...cell('priority', 'priority', "Type's default")}
                            w={130}
                            clearable
                            data={priorityOptions}
                          />
                        </Table.Td>
                        <Table.Td>
                          <NumberInput {...cell('watch_hours', 'watch hours')} w={110} suffix=" h" min={0} max={1440} />
                        </Table.Td>
                        <Table.Td>
                          <Button
                            size="compact-xs"
                            variant="subtle"
                            aria-expanded={openCarriers === i}
                            aria-label={`Rule ${n}: per-carrier watch hours`}
                            color={
                              Object.keys(errors).some((k) => k.startsWith(`${at}.carrier_watch_hours`))
                                ? 'red'
                                : undefined
                            }
                            onClick={() => setOpenCarriers(openCarriers === i ? null : i)}
                          >
                            {r.carriers.length
                              ? `${r.carriers.length} carrier${r.carriers.length > 1 ? 's' : ''}`
                              : 'Add'}
                          </Button>
                        </Table.Td>
                        <Table.Td>
                          {editable && (
                            <ActionIcon
                              variant="subtle"
                              color="red"
                              aria-label={`Remove rule ${n}`}
                              onClick={() => removeRule(i)}
                            >
                              <IconTrash size={16} />
                            </ActionIcon>
                          )}
                        </Table.Td>
                      </Table.Tr>
                      {carriersOpen && (
                        <Table.Tr>
                          <Table.Td />
                          <Table.Td colSpan={6}>
                            <Text size="xs" c="dimmed" mb={4}>
                              Watch hours for particular carriers, in place of the rule's {String(r.watch_hours || 0)} h
                            </Text>
                            <CarrierOverrides
                              rows={r.carriers}
                              onChange={(carriers) => setRule(i, { carriers })}
                              label={`Rule ${n} watch hours`}
                              unit="h"
                              path={`${at}.carrier_watch_hours`}
                              errors={errors}
                              integer={false}
                              min={0}
                              editable={editable}
                            />
                          </Table.Td>
                        </Table.Tr>
                      )}
                    </Fragment>
                  )
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {errors['exception_policy.rules'] && (
            <Text size="sm" c="red">
              {errors['exception_policy.rules']}
            </Text>
          )}
          <Text size="xs" c="dimmed">
            Watch for: open the case only if the status has not cleared after this many hours (0: at once). Each status
            can have one rule.
          </Text>
          {editable && (
            <Group>
              <Button
                size="xs"
                variant="default"
                onClick={() => setForm((f) => ({ ...f, rules: [...f.rules, newRuleRow()] }))}
              >
                Add rule
              </Button>
            </Group>
          )}
          <Lifecycle form={form} setForm={setForm} errors={errors} editable={editable} />
        </Stack>
      </Fieldset>
      <OtherErrors fields={errors} shown={['exception_policy', 'reopen_window_hours', 'auto_close_after_hours']} />
      <SaveBar
        saved={save.isSuccess && !Object.keys(local).length && 'Policy saved.'}
        dismiss={save.reset}
        editable={editable}
        pending={save.isPending}
        discard={() => {
          setForm(toPolicyForm(settings))
          setLocal({})
          save.reset()
        }}
      >
        Save policy
      </SaveBar>
    </Stack>
  )
}

// The case's life after resolving: hours until a close is final, and until a resolved case closes by itself.
const lifecycleHours = [
  {
    key: 'reopen_window_hours',
    label: 'Reopen window',
    description: 'A closed case reopens within this many hours of closing; after that a follow-up case opens instead',
  },
  {
    key: 'auto_close_after_hours',
    label: 'Close resolved cases after',
    description: '0: never close them automatically',
  },
] as const

function Lifecycle({
  form,
  setForm,
  errors,
  editable,
}: {
  form: PolicyForm
  setForm: Dispatch<SetStateAction<PolicyForm>>
  errors: Record<string, string>
  editable: boolean
}) {
  const set = (patch: Partial<PolicyForm>) => setForm((f) => ({ ...f, ...patch }))
  const field = bindForm(form, setForm, errors)
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
      <Card withBorder>
        <Stack gap="sm">
          <NumberInput
            label="Lost after"
            description="Days without a carrier scan before a parcel counts as lost (the “No scan” status)"
            suffix=" days"
            min={1}
            max={365}
            allowDecimal={false}
            value={form.lost_after_days}
            onChange={(v) => set({ lost_after_days: v })}
            error={errors['exception_policy.lost_after_days']}
          />
          <div>
            <Text size="sm" fw={500}>
              Lost after, per carrier
            </Text>
            <CarrierOverrides
              rows={form.carrier_lost_after_days}
              onChange={(rows) => set({ carrier_lost_after_days: rows })}
              label="Lost after days"
              unit="days"
              path="exception_policy.carrier_lost_after_days"
              errors={errors}
              integer
              min={1}
              editable={editable}
            />
          </div>
        </Stack>
      </Card>
      <Card withBorder>
        <Stack gap="sm">
          <Select
            label="When a parcel with an open case is delivered"
            allowDeselect={false}
            value={form.on_delivered}
            onChange={(v) => v && set({ on_delivered: v })}
            data={[
              { value: 'review' as const, label: 'Send the case back to an agent to review' },
              { value: 'resolve' as const, label: 'Resolve the case' },
            ]}
            error={errors['exception_policy.on_delivered']}
          />
          <Switch
            label="Send low-confidence carrier results to the review list instead of opening cases"
            checked={form.review_low_confidence}
            onChange={(e) => set({ review_low_confidence: e.currentTarget.checked })}
          />
          {lifecycleHours.map(({ key, ...text }) => (
            <NumberInput key={key} {...text} suffix=" h" min={0} allowDecimal={false} {...field.value(key)} />
          ))}
        </Stack>
      </Card>
    </SimpleGrid>
  )
}
