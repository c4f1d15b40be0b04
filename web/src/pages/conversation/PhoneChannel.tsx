import { Alert, Checkbox, Group, SegmentedControl, Select, Text } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { api, ok } from '../../api/client'
import { smsSegments } from '../../../../server/src/messaging/sms-segments'
import { dateTime } from '../../components/format'

export type ReplyChannel = 'email' | 'sms' | 'whatsapp'
const names: Record<ReplyChannel, string> = { email: 'Email', sms: 'SMS', whatsapp: 'WhatsApp' }

/** What the case's customer can be sent by SMS and WhatsApp now (GET /cases/{id}/phone-channels). */
export function usePhoneChannels(caseId: string, enabled: boolean) {
  return useQuery({
    queryKey: ['case', caseId, 'phone-channels'],
    queryFn: () => ok(api.GET('/api/v1/cases/{id}/phone-channels', { params: { path: { id: caseId } } })),
    enabled,
  })
}
type Phone = NonNullable<ReturnType<typeof usePhoneChannels>['data']>

/** Whether an agent can write on the channel now: free text, or on WhatsApp outside its window an approved template. */
export const sendable = (phone: Phone, c: 'sms' | 'whatsapp') =>
  phone[c].can_send ||
  (c === 'whatsapp' && !!phone.phone && !phone.whatsapp.opted_out_at && phone.whatsapp.templates.length > 0)

/**
 * The reply's channel: email, or SMS and WhatsApp when a Twilio connection exists. A channel the customer cannot be
 * sent on now stays offered, greyed, with the reason beside it (opted out, no number, WhatsApp's window closed).
 */
export function ChannelChoice({
  phone,
  value,
  onChange,
}: {
  phone: Phone | undefined
  value: ReplyChannel
  onChange: (c: ReplyChannel) => void
}) {
  if (!phone?.configured) return null
  const data = (['email', 'sms', 'whatsapp'] as const).map((c) => ({
    value: c,
    label: names[c],
    disabled: c !== 'email' && !sendable(phone, c) && c !== value,
  }))
  return (
    <SegmentedControl
      aria-label="Send by"
      size="xs"
      value={value}
      onChange={(v) => onChange(v as ReplyChannel)}
      data={data}
    />
  )
}

/** Who a text goes to and what holds it: consent, opt-out, WhatsApp's window, quiet hours (with "urgent" to skip). */
export function PhoneState({
  phone,
  channel,
  urgent,
  onUrgent,
}: {
  phone: Phone
  channel: 'sms' | 'whatsapp'
  urgent: boolean
  onUrgent: (u: boolean) => void
}) {
  const state = phone[channel]
  return (
    <>
      <Text size="sm">
        To: <b>{phone.phone ?? 'no phone number'}</b> by {names[channel]}
        {state.consent ? ' · consented' : ' · no consent on record (answers only)'}
      </Text>
      {state.opted_out_at && (
        <Alert color="red" title="Opted out">
          The customer replied STOP on {dateTime(state.opted_out_at)}: nothing goes to them by {names[channel]} until
          they reply START.
        </Alert>
      )}
      {channel === 'whatsapp' && !state.opted_out_at && (
        <Text size="xs" c="dimmed">
          {phone.whatsapp.window_open_until && new Date(phone.whatsapp.window_open_until) > new Date()
            ? `WhatsApp's 24-hour window is open until ${dateTime(phone.whatsapp.window_open_until)}: free text goes.`
            : `Outside WhatsApp's 24-hour window only an approved template goes (${
                phone.whatsapp.templates.map((t) => t.name).join(', ') || 'none has a content SID yet'
              }); the customer's next WhatsApp message opens it again.`}
        </Text>
      )}
      {!state.can_send && state.reason && !state.opted_out_at && (
        <Text size="xs" c="red.8" role="status">
          {state.reason}
        </Text>
      )}
      {phone.quiet_hours.now && (
        <Group gap="xs">
          <Text size="xs">
            Quiet hours in {phone.time_zone} ({phone.quiet_hours.start}–{phone.quiet_hours.end}): a text sent now waits
            {phone.quiet_hours.ends_at ? ` until ${dateTime(phone.quiet_hours.ends_at)}` : ''}.
          </Text>
          <Checkbox
            size="xs"
            label="Urgent: send now"
            checked={urgent}
            onChange={(e) => onUrgent(e.currentTarget.checked)}
          />
        </Group>
      )}
    </>
  )
}

/** "2 SMS segments · GSM-7 · 23 left": as the agent types, with the server's own counting. */
export function SmsCounter({ text }: { text: string }) {
  const s = smsSegments(text)
  return (
    <Text size="xs" c={s.segments > 3 ? 'orange.9' : 'dimmed'} aria-live="polite" data-testid="sms-counter">
      {s.segments} SMS {s.segments === 1 ? 'segment' : 'segments'} · {s.encoding} · {s.remaining} left in this one
      {s.encoding === 'UCS-2' ? ' (a character outside GSM-7 makes every segment 70)' : ''}
    </Text>
  )
}

type Approved = Phone['whatsapp']['templates'][number]

/**
 * WhatsApp's approved templates (a Content SID each): the only messages that go outside the 24-hour window. The one
 * picked fills the text with its own wording rendered for the case; the server renders its content variables.
 */
export function WhatsappTemplates({
  caseId,
  templates,
  picked,
  onPick,
}: {
  caseId: string
  templates: Approved[]
  picked: string | null
  onPick: (t: { template_id: string; content_sid: string } | null, text: string) => void
}) {
  if (!templates.length) return null
  const choose = async (id: string | null) => {
    const t = templates.find((x) => x.template_id === id)
    if (!t) return onPick(null, '')
    const r = await ok(
      api.POST('/api/v1/message-templates/{id}/preview', {
        params: { path: { id: t.template_id } },
        body: { case_id: caseId, version: 'live' },
      }),
    )
    onPick({ template_id: t.template_id, content_sid: t.content_sid }, r.text)
  }
  return (
    <Select
      label="Approved WhatsApp template"
      description="Goes outside the 24-hour window as Twilio's content template"
      placeholder="Free text (inside the window)"
      clearable
      value={picked}
      onChange={(id) => void choose(id)}
      data={templates.map((t) => ({ value: t.template_id, label: `${t.name} (${t.locale})` }))}
    />
  )
}
