import {
  Badge,
  Button,
  Group,
  Modal,
  PasswordInput,
  SegmentedControl,
  Select,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { api, ok, type Body } from '../../api/client'
import type { User } from '../../api/types'
import { useCan, useSession } from '../../app/session'
import { ErrorState } from '../../components/ErrorState'
import { timeAgo } from '../../components/format'
import { ConfirmButton } from '../../components/ConfirmButton'
import { fieldErrorsOf } from '../../components/field-errors'
import { LoadMore, usePaged } from '../../components/paged'
import { SectionHeader } from '../../components/SectionHeader'
import { useRoles, type Role } from './shared'

type UserPatch = Body<'/api/v1/users/{id}', 'patch'>
type Filter = 'all' | User['status']

/** People of the workspace: their role and whether they can sign in. */
export function Users() {
  const can = useCan()
  const roles = useRoles()
  const [filter, setFilter] = useState<Filter>('active')
  const [adding, addModal] = useDisclosure()
  const { query, rows } = usePaged(['users', 'admin', filter], (cursor) =>
    ok(
      api.GET('/api/v1/users', {
        params: {
          query: { limit: 100, ...(cursor ? { cursor } : {}), ...(filter === 'all' ? {} : { status: filter }) },
        },
      }),
    ),
  )
  // Giving a role means picking one, and the role list needs roles.read.
  const canAdd = can('users.manage') && can('roles.read')
  return (
    <Stack gap="md">
      <SectionHeader
        title="People"
        description="Who can sign in, and with which role"
        action={
          canAdd && (
            <Button size="xs" onClick={addModal.open}>
              Add person
            </Button>
          )
        }
      />
      <SegmentedControl
        aria-label="Show people"
        w="fit-content"
        value={filter}
        onChange={setFilter}
        data={[
          { value: 'active', label: 'Active' },
          { value: 'disabled', label: 'Disabled' },
          { value: 'all', label: 'All' },
        ]}
      />
      {query.isPending && <Skeleton h={240} />}
      {query.isError && <ErrorState error={query.error} retry={() => void query.refetch()} />}
      {query.isSuccess && rows.length === 0 && <Text c="dimmed">No {filter === 'all' ? '' : `${filter} `}people.</Text>}
      {rows.length > 0 && (
        <Table aria-label="People" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Last sign-in</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((u) => (
              <UserRow key={u.id} user={u} roles={roles.data ?? []} />
            ))}
          </Table.Tbody>
        </Table>
      )}
      <LoadMore query={query} />
      <AddUserModal opened={adding} close={addModal.close} roles={roles.data ?? []} />
    </Stack>
  )
}

function useUpdateUser(id: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: UserPatch) => ok(api.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['users'] }),
  })
}

function UserRow({ user, roles }: { user: User; roles: Role[] }) {
  const can = useCan()
  const session = useSession()
  const update = useUpdateUser(user.id)
  // The server refuses changing your own role or disabling yourself, so those controls are not offered.
  const editable = can('users.manage') && user.id !== session.user_id
  const roleName = roles.find((r) => r.id === user.role_id)?.name ?? '—'
  return (
    <Table.Tr>
      <Table.Td fw={600}>{user.name}</Table.Td>
      <Table.Td>{user.email}</Table.Td>
      <Table.Td>
        {editable && roles.length > 0 ? (
          <Select
            size="xs"
            w={160}
            aria-label={`Role of ${user.name}`}
            allowDeselect={false}
            value={user.role_id}
            data={roles.map((r) => ({ value: r.id, label: r.name }))}
            onChange={(id) => id && id !== user.role_id && update.mutate({ role_id: id })}
            disabled={update.isPending}
          />
        ) : (
          roleName
        )}
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={user.status === 'active' ? 'teal' : 'gray'}>
          {user.status === 'active' ? 'Active' : 'Disabled'}
        </Badge>
      </Table.Td>
      <Table.Td>{user.last_login_at ? timeAgo(user.last_login_at) : 'never'}</Table.Td>
      <Table.Td>
        {editable &&
          (user.status === 'active' ? (
            <ConfirmButton
              label="Disable"
              ariaLabel={`Disable ${user.name}`}
              question={`Disable ${user.name}? They are signed out everywhere and cannot sign in until re-enabled.`}
              confirm="Disable"
              onConfirm={() => update.mutate({ status: 'disabled' })}
              pending={update.isPending}
            />
          ) : (
            <Button
              size="xs"
              variant="subtle"
              aria-label={`Enable ${user.name}`}
              onClick={() => update.mutate({ status: 'active' })}
              loading={update.isPending}
            >
              Enable
            </Button>
          ))}
      </Table.Td>
    </Table.Tr>
  )
}

const blank = { email: '', name: '', password: '', role_id: '' }

function AddUserModal({ opened, close, roles }: { opened: boolean; close: () => void; roles: Role[] }) {
  const qc = useQueryClient()
  const [form, setForm] = useState(blank)
  const create = useMutation({
    meta: { fieldErrors: true },
    mutationFn: (body: Body<'/api/v1/users', 'post'>) => ok(api.POST('/api/v1/users', { body })),
    onSuccess: () => {
      setForm(blank)
      close()
      return qc.invalidateQueries({ queryKey: ['users'] })
    },
  })
  const fields = fieldErrorsOf(create.error)
  const set = (k: keyof typeof blank) => (v: string) => setForm((f) => ({ ...f, [k]: v }))
  return (
    <Modal opened={opened} onClose={close} closeButtonProps={{ 'aria-label': 'Close' }} title="Add a person">
      <Stack
        component="form"
        onSubmit={(e: FormEvent) => {
          e.preventDefault()
          create.mutate({ ...form, email: form.email.trim(), name: form.name.trim() })
        }}
      >
        <TextInput
          label="Email"
          type="email"
          required
          value={form.email}
          onChange={(e) => set('email')(e.currentTarget.value)}
          error={fields.email}
        />
        <TextInput
          label="Name"
          required
          value={form.name}
          onChange={(e) => set('name')(e.currentTarget.value)}
          error={fields.name}
        />
        <PasswordInput
          label="Initial password"
          description="At least 10 characters. Share it with them privately."
          required
          value={form.password}
          onChange={(e) => set('password')(e.currentTarget.value)}
          error={fields.password}
        />
        <Select
          label="Role"
          required
          data={roles.map((r) => ({ value: r.id, label: r.name }))}
          value={form.role_id || null}
          onChange={(v) => set('role_id')(v ?? '')}
          error={fields.role_id}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} disabled={!form.role_id}>
            Add person
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
