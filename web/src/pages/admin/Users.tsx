import { Badge, Button, PasswordInput, SegmentedControl, Select, Stack, Table, TextInput } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ok, type Body } from '../../api/client'
import type { User } from '../../api/types'
import { useCan, useSession } from '../../app/session'
import { timeAgo } from '../../components/format'
import { ConfirmButton } from '../../components/ConfirmButton'
import { FormActions, FormDialog, useCreateForm } from '../../components/form'
import { ListTable } from '../../components/lists'
import { LoadMore, usePaged } from '../../components/paged'
import { NewButton, SectionHeader } from '../../components/SectionHeader'
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
        action={canAdd && <NewButton onClick={addModal.open}>Add person</NewButton>}
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
      <ListTable
        label="People"
        columns={['Name', 'Email', 'Role', 'Status', 'Last sign-in', '']}
        query={query}
        skeleton={240}
        empty={`No ${filter === 'all' ? '' : `${filter} `}people.`}
        rows={rows}
        row={(u) => <UserRow key={u.id} user={u} roles={roles.data ?? []} />}
      />
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
  const { form, setForm, save, fields, field } = useCreateForm(blank, {
    call: (body: Body<'/api/v1/users', 'post'>) => ok(api.POST('/api/v1/users', { body })),
    invalidates: ['users'],
    close,
  })
  return (
    <FormDialog
      opened={opened}
      onClose={close}
      title="Add a person"
      submit={() => save.mutate({ ...form, email: form.email.trim(), name: form.name.trim() })}
    >
      <TextInput label="Email" type="email" required {...field.text('email')} />
      <TextInput label="Name" required {...field.text('name')} />
      <PasswordInput
        label="Initial password"
        description="At least 10 characters. Share it with them privately."
        required
        {...field.text('password')}
      />
      <Select
        label="Role"
        required
        data={roles.map((r) => ({ value: r.id, label: r.name }))}
        value={form.role_id || null}
        onChange={(v) => setForm((f) => ({ ...f, role_id: v ?? '' }))}
        error={fields.role_id}
      />
      <FormActions cancel={close} loading={save.isPending} disabled={!form.role_id}>
        Add person
      </FormActions>
    </FormDialog>
  )
}
