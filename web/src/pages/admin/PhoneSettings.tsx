import { Button, Group, Stack, Switch, Text, TextInput } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { api, ok, type Reply } from '../../api/client'
import { useCan } from '../../app/session'
import { Loaded } from '../../components/lists'
import { SectionHeader } from '../../components/SectionHeader'
import { useSettingsForm } from '../../components/settings-form'
import { SaveBar } from './shared'
import { TwilioConnection } from './TwilioAccount'

type Settings = Reply<'/api/v1/messaging/phone-settings', 'get'>
type Channel = Settings['channel_order'][number]
const channelNames: Record<Channel, string> = { whatsapp: 'WhatsApp', sms: 'SMS', email: 'Email' }

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

function DeliveryForm({ settings }: { settings: Settings }) {
  const can = useCan()
  const editable = can('merchant.manage')
  const { form, setForm, fields, submit, saveBar } = useSettingsForm({
    settings,
    queryKey: ['phone-settings'],
    save: ({ quiet_hours, channel_order }: Settings) =>
      ok(api.PUT('/api/v1/messaging/phone-settings', { body: { quiet_hours, channel_order } })),
  })
  const quiet = form.quiet_hours
  const move = (i: number, by: -1 | 1) => {
    const order = [...form.channel_order]
    ;[order[i], order[i + by]] = [order[i + by]!, order[i]!]
    setForm({ ...form, channel_order: order })
  }
  return (
    <Stack component="form" gap="sm" maw={640} aria-label="Quiet hours and channel order" onSubmit={submit}>
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
      <SaveBar {...saveBar('SMS and WhatsApp settings saved.')} editable={editable}>
        Save SMS and WhatsApp settings
      </SaveBar>
    </Stack>
  )
}
