import { Alert, Badge, Code, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ok, type Body, type Reply } from '../../api/client'
import { dateTime, timeAgo } from '../../components/format'
import { ConfirmButton } from '../../components/ConfirmButton'
import { CopyValue } from '../../components/CopyValue'
import { FormActions, FormDialog, useCreateForm } from '../../components/form'
import { ListTableWithHidden } from '../../components/lists'
import { LoadMore, usePaged } from '../../components/paged'
import { NewButton, SectionHeader } from '../../components/SectionHeader'
import { useRoles, type Role } from './shared'

type ApiKey = Reply<'/api/v1/api-keys', 'get'>['data'][number]
type Created = Reply<'/api/v1/api-keys', 'post'>

const stateOf = (k: ApiKey, now = Date.now()) =>
  k.revoked_at ? 'revoked' : k.expires_at && Date.parse(k.expires_at) <= now ? 'expired' : 'active'

/** Keys for integrations: each acts with a role; its secret is shown once, at creation. */
export function ApiKeys() {
  const roles = useRoles()
  const [creating, createModal] = useDisclosure()
  const [created, setCreated] = useState<Created | null>(null)
  const { query, rows } = usePaged(['api-keys'], (cursor) =>
    ok(api.GET('/api/v1/api-keys', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })),
  )
  return (
    <Stack gap="md">
      <SectionHeader
        title="API keys"
        description="Integrations send a key as the header “Authorization: Bearer <key>” and get the permissions of its role"
        action={<NewButton onClick={createModal.open}>New API key</NewButton>}
      />
      {created && (
        <Alert
          color="yellow"
          title={`Secret of “${created.api_key.name}” (shown once)`}
          withCloseButton
          closeButtonLabel="I have stored the key"
          onClose={() => setCreated(null)}
        >
          <Group gap="xs" wrap="nowrap">
            <Code style={{ wordBreak: 'break-all' }} aria-label="Secret of the new API key">
              {created.key}
            </Code>
            <CopyValue value={created.key} size="xs" />
          </Group>
          <Text size="xs" mt={4}>
            Store it now in your integration or secret manager. Claimdesk keeps only a hash and cannot show it again; if
            it is lost, create a new key and revoke this one.
          </Text>
        </Alert>
      )}
      <ListTableWithHidden
        switchLabel="Show revoked and expired keys"
        hidden={(k) => stateOf(k) !== 'active'}
        label="API keys"
        columns={['Name', 'Key', 'Role', 'Created', 'Last used', 'Expires', 'Status', '']}
        query={query}
        skeleton={200}
        empty={() => (rows.length ? 'No active keys.' : 'No API keys yet.')}
        rows={rows}
        row={(k) => <KeyRow key={k.id} apiKey={k} roles={roles.data ?? []} />}
      />
      <LoadMore query={query} />
      <CreateKeyModal opened={creating} close={createModal.close} roles={roles.data ?? []} onCreated={setCreated} />
    </Stack>
  )
}

function KeyRow({ apiKey: k, roles }: { apiKey: ApiKey; roles: Role[] }) {
  const qc = useQueryClient()
  const revoke = useMutation({
    mutationFn: () => ok(api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id: k.id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['api-keys'] }),
  })
  const state = stateOf(k)
  return (
    <Table.Tr c={state === 'active' ? undefined : 'dimmed'}>
      <Table.Td fw={600}>{k.name}</Table.Td>
      <Table.Td>
        <Code>{k.prefix}…</Code>
      </Table.Td>
      <Table.Td>{roles.find((r) => r.id === k.role_id)?.name ?? '—'}</Table.Td>
      <Table.Td>{dateTime(k.created_at)}</Table.Td>
      <Table.Td>{k.last_used_at ? timeAgo(k.last_used_at) : 'never'}</Table.Td>
      <Table.Td>{k.expires_at ? dateTime(k.expires_at) : 'never'}</Table.Td>
      <Table.Td>
        <Badge variant="light" color={state === 'active' ? 'teal' : 'gray'}>
          {state === 'active' ? 'Active' : state === 'revoked' ? 'Revoked' : 'Expired'}
        </Badge>
      </Table.Td>
      <Table.Td>
        {!k.revoked_at && (
          <ConfirmButton
            label="Revoke"
            ariaLabel={`Revoke ${k.name}`}
            question={`Revoke ${k.name}? Requests with it fail at once; this cannot be undone.`}
            confirm="Revoke key"
            onConfirm={() => revoke.mutate()}
            pending={revoke.isPending}
          />
        )}
      </Table.Td>
    </Table.Tr>
  )
}

const blank = { name: '', role_id: null as string | null, expires: '' }

function CreateKeyModal({
  opened,
  close,
  roles,
  onCreated,
}: {
  opened: boolean
  close: () => void
  roles: Role[]
  onCreated: (c: Created) => void
}) {
  const { form, save, field } = useCreateForm(blank, {
    call: (body: Body<'/api/v1/api-keys', 'post'>) => ok(api.POST('/api/v1/api-keys', { body })),
    invalidates: ['api-keys'],
    close,
    created: onCreated,
  })
  return (
    <FormDialog
      opened={opened}
      onClose={close}
      title="New API key"
      submit={() => {
        // datetime-local is wall-clock time here; the API takes the instant it names.
        if (form.role_id)
          save.mutate({
            name: form.name.trim(),
            role_id: form.role_id,
            ...(form.expires ? { expires_at: new Date(form.expires).toISOString() } : {}),
          })
      }}
    >
      <TextInput label="Name" description="Where it is used, e.g. “Shopify sync”" required {...field.text('name')} />
      <Select
        label="Role"
        description="The key can do what this role can, and no more"
        required
        data={roles.map((r) => ({ value: r.id, label: r.name }))}
        {...field.value('role_id')}
      />
      <TextInput
        label="Expires"
        description="Optional; in your local time"
        type="datetime-local"
        {...field.text('expires', 'expires_at')}
      />
      <FormActions cancel={close} loading={save.isPending} disabled={!form.name.trim() || !form.role_id}>
        Create key
      </FormActions>
    </FormDialog>
  )
}
