import { Alert, Button, Code, Group, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { api, ok } from '../../api/client'
import { useCan } from '../../app/session'
import { fieldErrorsOf, generalError } from '../../components/field-errors'
import { dateTime } from '../../components/format'
import { Loaded } from '../../components/lists'
import { blankSender, type Connection, SenderFields, senderOf, TwilioSenders } from './TwilioSenders'

const queryKey = ['connections', 'messaging', 'twilio']

/** The workspace's Twilio account: its webhook URL, its senders and its auth token; or the form that connects one. */
export function TwilioConnection() {
  const can = useCan()
  const connections = useQuery({
    queryKey,
    queryFn: () =>
      ok(
        api.GET('/api/v1/integrations/connections', { params: { query: { source: 'messaging', provider: 'twilio' } } }),
      ),
  })
  const manage = can('integrations.manage')
  return (
    <Loaded query={connections} skeleton={[120]}>
      {(page) => {
        const c = page.data[0]
        if (!c) return manage ? <NewConnection /> : <Text size="sm">No Twilio account is connected.</Text>
        return (
          <Stack gap="xs" aria-label="Twilio account">
            <Text size="sm">
              Account <Code>{(c.settings as { account_sid?: string }).account_sid}</Code> · {c.status}
            </Text>
            <Text size="sm">
              Point your number's (or Messaging Service's) incoming-message webhook here; status callbacks come here
              too:
            </Text>
            <Code block>{c.webhook_url}</Code>
            <TwilioSenders connection={c} editable={manage} />
            {manage && <RotateToken connection={c} />}
          </Stack>
        )
      }}
    </Loaded>
  )
}

/**
 * Replaces the auth token after it is rotated in Twilio's console: sends use the new one at once, and webhooks
 * signed with the old one still verify for the server's grace period (a day), while Twilio switches over.
 */
function RotateToken({ connection: c }: { connection: Connection }) {
  const qc = useQueryClient()
  const [token, setToken] = useState('')
  const rotate = useMutation({
    meta: { inline: true },
    mutationFn: (secret: string) =>
      ok(
        api.POST('/api/v1/integrations/connections/{id}/secrets', {
          params: { path: { id: c.id } },
          body: { secret },
        }),
      ),
    onSuccess: (r) => {
      qc.setQueryData(
        queryKey,
        (page: { data: Connection[] } | undefined) =>
          page && { ...page, data: page.data.map((x) => (x.id === r.connection.id ? r.connection : x)) },
      )
      setToken('')
    },
  })
  const until = rotate.data?.connection.secret_versions
    .map((v) => v.expires_at)
    .filter((x): x is string => x !== null)
    .sort()
    .at(-1)
  return (
    <Stack
      component="form"
      gap="xs"
      maw={640}
      aria-label="Rotate the auth token"
      onSubmit={(e: FormEvent) => {
        e.preventDefault()
        rotate.mutate(token.trim())
      }}
    >
      <Title order={3} size="h6">
        Auth token
      </Title>
      <PasswordInput
        label="New auth token"
        description="After promoting a new token in Twilio's console: sends use it at once; webhooks signed with the old token are still accepted for 24 hours"
        value={token}
        onChange={(e) => setToken(e.currentTarget.value)}
        error={generalError(rotate.error, {})}
      />
      {rotate.isSuccess && (
        <Alert color="teal" p="xs" withCloseButton closeButtonLabel="Dismiss" onClose={() => rotate.reset()}>
          Auth token rotated. The old token keeps verifying Twilio's webhooks
          {until ? ` until ${dateTime(until)}` : ''}.
        </Alert>
      )}
      <Group>
        <Button type="submit" size="xs" variant="default" loading={rotate.isPending} disabled={!token.trim()}>
          Rotate auth token
        </Button>
      </Group>
    </Stack>
  )
}

const blank = { sid: '', token: '', sender: blankSender }

/** Connects the workspace's Twilio account: its SID, auth token (kept encrypted) and a first sending number. */
function NewConnection() {
  const qc = useQueryClient()
  const [form, setForm] = useState(blank)
  const create = useMutation({
    meta: { inline: true },
    mutationFn: () =>
      ok(
        api.POST('/api/v1/integrations/connections', {
          body: {
            source: 'messaging',
            provider: 'twilio',
            name: 'Twilio',
            secret: form.token,
            settings: { account_sid: form.sid.trim(), senders: [senderOf(form.sender)] },
          },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey }),
  })
  const fields = fieldErrorsOf(create.error)
  const general = generalError(create.error, fields)
  const senderError = (k: string) => fields[`settings.senders.0.${k}`]
  return (
    <Stack
      component="form"
      gap="xs"
      maw={640}
      aria-label="Connect Twilio"
      onSubmit={(e: FormEvent) => {
        e.preventDefault()
        create.mutate()
      }}
    >
      <Text size="sm">No Twilio account is connected yet: texts are recorded but not sent.</Text>
      <Group grow align="flex-start">
        <TextInput
          label="Account SID"
          placeholder="AC…"
          required
          value={form.sid}
          onChange={(e) => setForm({ ...form, sid: e.currentTarget.value })}
          error={fields['settings.account_sid']}
        />
        <PasswordInput
          label="Auth token"
          description="Stored encrypted; it also signs Twilio's webhooks"
          required
          value={form.token}
          onChange={(e) => setForm({ ...form, token: e.currentTarget.value })}
          error={fields.secret}
        />
      </Group>
      <Group grow align="flex-start">
        <TextInput
          label="Sending number"
          placeholder="+447700900123"
          required
          value={form.sender.address}
          onChange={(e) => setForm({ ...form, sender: { ...form.sender, address: e.currentTarget.value } })}
          error={senderError('address')}
        />
        <SenderFields
          draft={form.sender}
          setDraft={(sender) => setForm({ ...form, sender })}
          errors={{ channels: senderError('channels'), per_second: senderError('per_second') }}
        />
      </Group>
      {general && (
        <Alert color="red" role="alert" title="Not connected">
          {general}
        </Alert>
      )}
      <Group>
        <Button
          type="submit"
          size="xs"
          loading={create.isPending}
          disabled={!form.sid || !form.token || !form.sender.address}
        >
          Connect Twilio
        </Button>
      </Group>
    </Stack>
  )
}
