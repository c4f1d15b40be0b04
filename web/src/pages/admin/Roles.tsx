import {
  Accordion,
  Alert,
  Badge,
  Button,
  Checkbox,
  Fieldset,
  Group,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { api, ok, type Body, type Reply } from '../../api/client'
import { useCan, useSession } from '../../app/session'
import { ErrorState } from '../../components/ErrorState'
import { humanize } from '../../components/format'
import { ConfirmButton } from '../../components/ConfirmButton'
import { errorAt } from '../../components/field-errors'
import { Dialog, FormActions, useRecordForm } from '../../components/form'
import { useCurrencies, useMoney } from '../../components/money'
import { NewButton, SectionHeader } from '../../components/SectionHeader'
import { formatMajor, parseMinor } from './money'
import { useRoles, type Role } from './shared'

type Catalogue = Reply<'/api/v1/permissions', 'get'>['data']
type Grant = Body<'/api/v1/roles', 'post'>['permissions'][number]
type Editing = { role: Role | null; from?: Role } | null

// The one permission the server bounds by an amount (auth/limits.ts); others take no limit.
const boundable = 'refunds.approve'

function byArea<T extends { permission: string }>(items: T[]): [string, T[]][] {
  const areas = new Map<string, T[]>()
  for (const item of items) {
    const area = item.permission.split('.')[0] ?? item.permission
    areas.set(area, [...(areas.get(area) ?? []), item])
  }
  return [...areas]
}

export function Roles() {
  const can = useCan()
  const roles = useRoles()
  const catalogue = useQuery({
    queryKey: ['permissions'],
    queryFn: () => ok(api.GET('/api/v1/permissions')),
    select: (r) => r.data,
    staleTime: Infinity,
  })
  const [editing, setEditing] = useState<Editing>(null)
  const failed = roles.error ?? catalogue.error
  if (failed)
    return <ErrorState error={failed} retry={() => void Promise.all([roles.refetch(), catalogue.refetch()])} />
  return (
    <Stack gap="md">
      <SectionHeader
        title="Roles"
        description="What each role may do. Built-in roles are fixed; copy one to make a custom role."
        action={
          can('roles.manage') &&
          catalogue.data && <NewButton onClick={() => setEditing({ role: null })}>New role</NewButton>
        }
      />
      {(roles.isPending || catalogue.isPending) && <Skeleton h={240} />}
      {roles.data && catalogue.data && (
        <Accordion multiple variant="separated" aria-label="Roles">
          {roles.data.map((r) => (
            <Accordion.Item key={r.id} value={r.id}>
              <Accordion.Control>
                <Group gap="xs">
                  <Text fw={600}>{r.name}</Text>
                  <Badge size="sm" variant="light" color={r.builtin_key ? 'gray' : 'indigo'}>
                    {r.builtin_key ? 'Built-in' : 'Custom'}
                  </Badge>
                  <Text size="sm" c="dimmed">
                    {r.permissions.length} permissions
                  </Text>
                </Group>
              </Accordion.Control>
              <Accordion.Panel>
                <RoleDetail
                  role={r}
                  catalogue={catalogue.data}
                  edit={() => setEditing({ role: r })}
                  copy={() => setEditing({ role: null, from: r })}
                />
              </Accordion.Panel>
            </Accordion.Item>
          ))}
        </Accordion>
      )}
      {editing && catalogue.data && (
        <RoleModal {...editing} catalogue={catalogue.data} close={() => setEditing(null)} />
      )}
    </Stack>
  )
}

function RoleDetail({
  role,
  catalogue,
  edit,
  copy,
}: {
  role: Role
  catalogue: Catalogue
  edit: () => void
  copy: () => void
}) {
  const can = useCan()
  const money = useMoney()
  const qc = useQueryClient()
  const remove = useMutation({
    mutationFn: () => ok(api.DELETE('/api/v1/roles/{id}', { params: { path: { id: role.id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['roles'] }),
  })
  const held = catalogue.filter((c) => role.permissions.some((p) => p.permission === c.permission))
  const limitOf = (permission: string) => role.permissions.find((p) => p.permission === permission)?.limit
  return (
    <Stack gap="sm">
      {role.description && <Text size="sm">{role.description}</Text>}
      {held.length === 0 && (
        <Text size="sm" c="dimmed">
          No permissions
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="xs">
        {byArea(held).map(([area, items]) => (
          <div key={area}>
            <Text size="xs" fw={700} tt="uppercase" c="dimmed">
              {humanize(area)}
            </Text>
            {items.map((c) => {
              const limit = limitOf(c.permission)
              return (
                <Text key={c.permission} size="sm" title={c.description}>
                  {c.permission}
                  {limit ? ` (up to ${money(limit.amount_minor, limit.currency)})` : ''}
                </Text>
              )
            })}
          </div>
        ))}
      </SimpleGrid>
      {can('roles.manage') && (
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={copy}>
            Copy as custom role
          </Button>
          {!role.builtin_key && (
            <Button size="xs" variant="default" onClick={edit}>
              Edit
            </Button>
          )}
          {!role.builtin_key && (
            <ConfirmButton
              label="Delete"
              ariaLabel={`Delete role ${role.name}`}
              question={`Delete the role ${role.name}? Only a role no person or API key holds can go.`}
              confirm="Delete role"
              onConfirm={() => remove.mutate()}
              pending={remove.isPending}
            />
          )}
        </Group>
      )}
    </Stack>
  )
}

function RoleModal({
  role,
  from,
  catalogue,
  close,
}: {
  role: Role | null
  from?: Role
  catalogue: Catalogue
  close: () => void
}) {
  const currencies = useCurrencies()
  return (
    <Dialog opened onClose={close} title={role ? `Edit ${role.name}` : 'New role'} size="xl">
      {currencies.isLoading ? (
        <Skeleton h={300} />
      ) : (
        <RoleForm
          role={role}
          from={from}
          catalogue={catalogue}
          exponents={new Map((currencies.data ?? []).map((c) => [c.code, c.exponent]))}
          close={close}
        />
      )}
    </Dialog>
  )
}

function RoleForm({
  role,
  from,
  catalogue,
  exponents,
  close,
}: {
  role: Role | null
  from?: Role
  catalogue: Catalogue
  exponents: Map<string, number>
  close: () => void
}) {
  const session = useSession()
  const source = role ?? from
  const { form, save, fields, field } = useRecordForm(
    () => ({ name: role?.name ?? (from ? `${from.name} (copy)` : ''), description: source?.description ?? '' }),
    role,
    {
      create: (body: Body<'/api/v1/roles', 'post'>) => ok(api.POST('/api/v1/roles', { body })),
      update: (r, body) => ok(api.PATCH('/api/v1/roles/{id}', { params: { path: { id: r.id } }, body })),
      invalidates: ['roles'],
      close,
    },
  )
  const [checked, setChecked] = useState(() => new Set(source?.permissions.map((p) => p.permission)))
  const bound = source?.permissions.find((p) => p.permission === boundable)?.limit
  const boundExponent = bound ? exponents.get(bound.currency) : undefined
  const [limit, setLimit] = useState({
    amount: bound && boundExponent !== undefined ? formatMajor(bound.amount_minor, boundExponent) : '',
    currency: bound?.currency ?? null,
  })
  const [limitError, setLimitError] = useState<string>()
  // Without the currency table (merchant.read) a limit cannot be read or typed safely, so it is kept as it is.
  const limitEditable = exponents.size > 0

  const grantOf = (permission: string): Grant | null => {
    if (permission !== boundable || !limitEditable) {
      const kept = source?.permissions.find((p) => p.permission === permission)?.limit
      return kept ? { permission, limit: kept } : { permission }
    }
    if (!limit.amount.trim()) return { permission }
    const exponent = limit.currency ? exponents.get(limit.currency) : undefined
    const minor = exponent === undefined ? null : parseMinor(limit.amount, exponent)
    if (!limit.currency || exponent === undefined || minor === null) return null
    return { permission, limit: { amount_minor: minor, currency: limit.currency } }
  }

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const grants = [...checked].map(grantOf)
    if (grants.some((g) => g === null))
      return setLimitError('Give an amount in the chosen currency, with no more decimals than it has')
    setLimitError(undefined)
    save.mutate({
      name: form.name.trim(),
      description: form.description,
      permissions: grants.filter((g) => g !== null),
    })
  }
  const toggle = (permission: string, on: boolean) =>
    setChecked((s) => {
      const next = new Set(s)
      if (on) next.add(permission)
      else next.delete(permission)
      return next
    })

  return (
    <Stack component="form" onSubmit={submit}>
      <TextInput label="Name" required {...field.text('name')} />
      <Textarea label="Description" autosize minRows={2} {...field.text('description')} />
      {errorAt(fields, 'permissions') && (
        <Alert color="red" p="xs">
          {errorAt(fields, 'permissions')}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        {byArea(catalogue).map(([area, items]) => (
          <Fieldset key={area} legend={humanize(area)} p="xs">
            <Stack gap={6}>
              {items.map((c) => {
                // A role cannot grant what its author lacks; the server refuses it, so it is not offered.
                const grantable = session.permissions.includes(c.permission)
                return (
                  <Checkbox
                    key={c.permission}
                    label={c.permission}
                    description={grantable ? c.description : `${c.description} (your role lacks it)`}
                    checked={checked.has(c.permission)}
                    disabled={!grantable && !checked.has(c.permission)}
                    onChange={(e) => toggle(c.permission, e.currentTarget.checked)}
                  />
                )
              })}
              {area === boundable.split('.')[0] && checked.has(boundable) && limitEditable && (
                <Group gap="xs" align="flex-start" wrap="nowrap">
                  <TextInput
                    size="xs"
                    label="Approve up to"
                    placeholder="No limit"
                    inputMode="decimal"
                    value={limit.amount}
                    onChange={(e) => setLimit({ ...limit, amount: e.currentTarget.value })}
                    error={limitError}
                  />
                  <Select
                    size="xs"
                    w={100}
                    label="Currency"
                    searchable
                    data={[...exponents.keys()]}
                    value={limit.currency}
                    onChange={(currency) => setLimit({ ...limit, currency })}
                  />
                </Group>
              )}
            </Stack>
          </Fieldset>
        ))}
      </SimpleGrid>
      <FormActions cancel={close} loading={save.isPending} disabled={!form.name.trim()}>
        {role ? 'Save role' : 'Create role'}
      </FormActions>
    </Stack>
  )
}
