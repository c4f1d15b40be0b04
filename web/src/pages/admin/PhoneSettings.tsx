import {
  Alert,
  Button,
  Checkbox,
  Code,
  Group,
  NumberInput,
  PasswordInput,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { api, ok, type Reply } from '../../api/client'
import { useCan } from '../../app/session'
import { fieldErrorsOf, generalError } from '../../components/field-errors'
import { Loaded } from '../../components/lists'
import { SectionHeader } from '../../components/SectionHeader'
import { SaveBar } from './shared'

type Settings = Reply<'/api/v1/messaging/phone-settings', 'get'>
type Channel = Settings['channel_order'][number]
const channelNames: Record<Channel, string> = { whatsapp: 'WhatsApp', sms: 'SMS', email: 'Email' }
type Sender = { address: string; channels: ('sms' | 'whatsapp')[]; per_second?: number }

/** SMS and WhatsApp: the Twilio account and its senders, quiet hours, and the channels automatic messages try. */
export function PhoneSettings() {
  const can = useCan()
  const settings = useQuery({
    queryKey: ['phone-settings'],
    queryFn: () => ok(api.GET('/api/v1/messaging/phone-settings')),
  })
  return (
    <Stack gap="md">
      <SectionHeader
        title="SMS and WhatsApp"
        description="Texts to customers through your Twilio account: who sends, when they may go, and in what order"
      />
      {can('integrations.read') && <TwilioConnection />}
      <Loaded query={settings} skeleton={[160]}>
        {(s) => <DeliveryForm settings={s} />}
      </Loaded>
    </Stack>
  )
}

function TwilioConnection() {
  const can = useCan()
  const connections = useQuery({
    queryKey: ['connections', 'messaging', 'twilio'],
    queryFn: () =>
      ok(
        api.GET('/api/v1/integrations/connections', { params: { query: { source: 'messaging', provider: 'twilio' } } }),
      ),
  })
  return (
    <Loaded query={connections} skeleton={[120]}>
      {(page) => {
        const c = page.data[0]
        if (!c)
          return can('integrations.manage') ? <NewConnection /> : <Text size="sm">No Twilio account is connected.</Text>
        const settings = c.settings as { account_sid?: string; senders?: Sender[] }
        return (
          <Stack gap="xs" aria-label="Twilio account">
            <Text size="sm">
              Account <Code>{settings.account_sid}</Code> · {c.status}
            </Text>
            <Text size="sm">
              Point your number's (or Messaging Service's) incoming-message webhook here; status callbacks come here
              too:
            </Text>
            <Code block>{c.webhook_url}</Code>
            <Table aria-label="Senders" withTableBorder>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Number</Table.Th>
                  <Table.Th>Channels</Table.Th>
                  <Table.Th>Messages a second</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(settings.senders ?? []).map((s) => (
                  <Table.Tr key={s.address}>
                    <Table.Td>{s.address}</Table.Td>
                    <Table.Td>{s.channels.map((x) => channelNames[x]).join(', ')}</Table.Td>
                    <Table.Td>{s.per_second ?? "Twilio's default"}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        )
      }}
    </Loaded>
  )
}

const blank = { sid: '', token: '', number: '', sms: true, whatsapp: false, perSecond: '' as number | '' }

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
            settings: {
              account_sid: form.sid.trim(),
              senders: [
                {
                  address: form.number.trim(),
                  channels: [...(form.sms ? ['sms'] : []), ...(form.whatsapp ? ['whatsapp'] : [])],
                  ...(form.perSecond !== '' ? { per_second: form.perSecond } : {}),
                },
              ],
            },
          },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['connections', 'messaging', 'twilio'] }),
  })
  const fields = fieldErrorsOf(create.error)
  const general = generalError(create.error, fields)
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
      <Group grow align="flex-end">
        <TextInput
          label="Sending number"
          placeholder="+447700900123"
          required
          value={form.number}
          onChange={(e) => setForm({ ...form, number: e.currentTarget.value })}
        />
        <NumberInput
          label="Messages a second"
          description="Empty: Twilio's documented rate for the number"
          min={0.1}
          max={1000}
          value={form.perSecond}
          onChange={(v) => setForm({ ...form, perSecond: typeof v === 'number' ? v : '' })}
        />
      </Group>
      <Group>
        <Checkbox label="SMS" checked={form.sms} onChange={(e) => setForm({ ...form, sms: e.currentTarget.checked })} />
        <Checkbox
          label="WhatsApp"
          checked={form.whatsapp}
          onChange={(e) => setForm({ ...form, whatsapp: e.currentTarget.checked })}
        />
      </Group>
      {general && (
        <Alert color="red" role="alert" title="Not connected">
          {general}
        </Alert>
      )}
      <Group>
        <Button type="submit" size="xs" loading={create.isPending} disabled={!form.sid || !form.token || !form.number}>
          Connect Twilio
        </Button>
      </Group>
    </Stack>
  )
}

function DeliveryForm({ settings }: { settings: Settings }) {
  const can = useCan()
  const qc = useQueryClient()
  const editable = can('merchant.manage')
  const [form, setForm] = useState(settings)
  const [saved, setSaved] = useState(false)
  const save = useMutation({
    meta: { fieldErrors: true },
    mutationFn: ({ quiet_hours, channel_order }: Settings) =>
      ok(api.PUT('/api/v1/messaging/phone-settings', { body: { quiet_hours, channel_order } })),
    onSuccess: (next) => {
      qc.setQueryData(['phone-settings'], next)
      setForm(next)
      setSaved(true)
    },
  })
  const fields = fieldErrorsOf(save.error)
  const quiet = form.quiet_hours
  const move = (i: number, by: -1 | 1) => {
    const order = [...form.channel_order]
    ;[order[i], order[i + by]] = [order[i + by]!, order[i]!]
    setForm({ ...form, channel_order: order })
  }
  return (
    <Stack
      component="form"
      gap="sm"
      maw={640}
      aria-label="Quiet hours and channel order"
      onSubmit={(e: FormEvent) => {
        e.preventDefault()
        setSaved(false)
        save.mutate(form)
      }}
    >
      <Switch
        label="Quiet hours: non-urgent texts wait until they end, in the customer's time zone"
        disabled={!editable}
        checked={quiet.enabled}
        onChange={(e) => setForm({ ...form, quiet_hours: { ...quiet, enabled: e.currentTarget.checked } })}
      />
      <Group grow>
        <TextInput
          type="time"
          label="From"
          readOnly={!editable}
          value={quiet.start}
          onChange={(e) => setForm({ ...form, quiet_hours: { ...quiet, start: e.currentTarget.value } })}
          error={fields['quiet_hours.start']}
        />
        <TextInput
          type="time"
          label="Until"
          readOnly={!editable}
          value={quiet.end}
          onChange={(e) => setForm({ ...form, quiet_hours: { ...quiet, end: e.currentTarget.value } })}
          error={fields['quiet_hours.end']}
        />
      </Group>
      <Stack gap={4} aria-label="Channel order">
        <Text size="sm" fw={500}>
          Automatic messages try, in this order, the first channel the customer consented to
        </Text>
        {form.channel_order.map((c, i) => (
          <Group key={c} gap="xs">
            <Text size="sm" w={90}>
              {i + 1}. {channelNames[c]}
            </Text>
            <Button
              size="compact-xs"
              variant="default"
              disabled={!editable || i === 0}
              aria-label={`Move ${channelNames[c]} up`}
              onClick={() => move(i, -1)}
            >
              ↑
            </Button>
            <Button
              size="compact-xs"
              variant="default"
              disabled={!editable || i === form.channel_order.length - 1}
              aria-label={`Move ${channelNames[c]} down`}
              onClick={() => move(i, 1)}
            >
              ↓
            </Button>
          </Group>
        ))}
      </Stack>
      <SaveBar
        saved={saved && 'SMS and WhatsApp settings saved.'}
        dismiss={() => setSaved(false)}
        editable={editable}
        pending={save.isPending}
        unchanged={JSON.stringify(form) === JSON.stringify(settings)}
        discard={() => setForm(settings)}
      >
        Save SMS and WhatsApp settings
      </SaveBar>
    </Stack>
  )
}
