import {
  Alert,
  Badge,
  Button,
  Group,
  MultiSelect,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useEffect, useState, type FormEvent } from 'react'
import { api, ok, type Body } from '../../api/client'
import type { Message } from '../../api/types'
import { useCan } from '../../app/session'
import { errorAt, fieldErrorsOf, generalError } from '../../components/field-errors'
import { MentionTextarea } from '../../components/MentionTextarea'
import { mentionMarkup } from '../../components/mentions'
import { kinds, type Kind } from './delivery'
import { MacroPicker } from './MacroPicker'
import {
  ChannelChoice,
  PhoneState,
  type ReplyChannel,
  SmsCounter,
  usePhoneChannels,
  WhatsappTemplates,
} from './PhoneChannel'
import { TemplatePicker, type Rendered } from './TemplatePicker'

type Writing = Exclude<Kind, 'side'>

type SendBody = Body<'/api/v1/cases/{id}/messages', 'post'>
const empty = { text: '', subject: '', cc: [] as string[], attachments: [] as string[] }

/**
 * Writing on the case, in two kinds that never look alike: a reply to the customer (blue, "Send to customer") or an
 * internal note (yellow, "Add note"); "New side conversation" (violet) opens its own dialog (SideConversations.tsx).
 * It opens on the internal note: a note sent by mistake harms nothing, an email cannot be called back.
 */
export function Composer({
  caseId,
  customerEmail,
  messages,
  onWriting,
  onNewSide,
}: {
  caseId: string
  customerEmail: string | null
  messages: Message[]
  onWriting: (writing: boolean) => void
  onNewSide: () => void
}) {
  const can = useCan()
  const sends = can('messages.send')
  const [kind, setKind] = useState<Writing>('note')
  const [form, setForm] = useState(empty)
  const [html, setHtml] = useState<Rendered | null>(null)
  const [picked, setPicked] = useState<{ id: string; name: string }[]>([])
  const [channel, setChannel] = useState<ReplyChannel>('email')
  const [urgent, setUrgent] = useState(false)
  const [waTemplate, setWaTemplate] = useState<{ template_id: string; content_sid: string } | null>(null)
  const phone = usePhoneChannels(caseId, sends && kind === 'reply').data
  const byPhone = kind === 'reply' && channel !== 'email' && phone ? channel : null
  // WhatsApp outside its window takes an approved template, not free text.
  const blocked = byPhone === 'whatsapp' && !phone?.whatsapp.can_send && !waTemplate
  const writing = form.text.trim().length > 0
  useEffect(() => onWriting(writing), [writing, onWriting])
  const qc = useQueryClient()
  const done = () => {
    setForm(empty)
    setHtml(null)
    setWaTemplate(null)
    setPicked([])
    return Promise.all([
      qc.invalidateQueries({ queryKey: ['case', caseId] }),
      qc.invalidateQueries({ queryKey: ['cases'] }),
    ])
  }
  const note = useMutation({
    meta: { inline: true },
    mutationFn: (text: string) =>
      ok(api.POST('/api/v1/cases/{id}/notes', { params: { path: { id: caseId } }, body: { body: text } })),
    onSuccess: done,
  })
  const send = useMutation({
    meta: { inline: true },
    mutationFn: (body: SendBody) =>
      ok(api.POST('/api/v1/cases/{id}/messages', { params: { path: { id: caseId } }, body })),
    onSuccess: done,
  })
  const running = kind === 'note' ? note : send
  const fields = fieldErrorsOf(running.error)
  // Errors the fields cannot show (no recipient, a refused attachment, a conflict) go above the buttons.
  const general = generalError(running.error, fields)
  const k = kinds[kind]
  const files = messages.flatMap((m) =>
    m.attachments.filter((a) => a.stored).map((a) => ({ value: a.id, label: a.file_name })),
  )

  const toMarkup = (text: string) =>
    [...picked]
      .sort((a, b) => b.name.length - a.name.length)
      .reduce((t, p) => t.replaceAll(`@${p.name}`, mentionMarkup(p.name, p.id)), text)
  const submit = (setWaiting: boolean) => {
    const text = form.text.trim()
    if (!text) return
    if (kind === 'note') return note.mutate(toMarkup(text))
    if (byPhone)
      return send.mutate({
        channel: byPhone,
        text,
        ...(byPhone === 'whatsapp' && waTemplate ? waTemplate : {}),
        ...(urgent ? { urgent: true } : {}),
        ...(setWaiting ? { set_waiting: true } : {}),
      })
    const untouched = html !== null && html.text === form.text
    send.mutate({
      visibility: 'public',
      text,
      ...(form.subject.trim() ? { subject: form.subject.trim() } : {}),
      ...(form.cc.length ? { cc: form.cc.map((address) => ({ address })) } : {}),
      ...(form.attachments.length ? { attachment_ids: form.attachments } : {}),
      // The template's HTML part goes only while the text is still the template's own.
      ...(html ? { template_id: html.templateId } : {}),
      ...(html?.version ? { template_version: html.version } : {}),
      ...(html && untouched && html.html ? { html: html.html } : {}),
      ...(setWaiting ? { set_waiting: true } : {}),
    })
  }
  const options = (['reply', 'note'] as const)
    .filter((o) => o === 'note' || sends)
    .map((o) => ({ value: o, label: kinds[o].label }))
  return (
    <Paper
      component="form"
      mt="md"
      p="sm"
      withBorder
      aria-label={`Composer: ${k.label}`}
      data-kind={kind}
      style={{ borderTop: `4px ${kind === 'note' ? 'dashed' : 'solid'} var(--mantine-color-${k.color}-6)` }}
      bg={kind === 'note' ? 'var(--mantine-color-yellow-light)' : undefined}
      onSubmit={(e: FormEvent) => {
        e.preventDefault()
        submit(false)
      }}
    >
      <Stack gap="xs">
        <Group justify="space-between" gap="xs">
          {options.length > 1 && (
            <SegmentedControl
              aria-label="What are you writing?"
              value={kind}
              onChange={(v) => {
                setKind(v as Writing)
                send.reset()
                note.reset()
              }}
              data={options}
              color={k.color}
            />
          )}
          {sends && (
            <Button size="xs" variant="light" color={kinds.side.color} onClick={onNewSide}>
              New side conversation
            </Button>
          )}
        </Group>
        <Group gap="xs">
          <Badge color={k.color} c={kind === 'note' ? 'dark' : undefined}>
            {k.label}
          </Badge>
          <Text size="xs" c="dimmed">
            {k.hint}
          </Text>
        </Group>
        {kind === 'note' ? (
          <MentionTextarea
            value={form.text}
            onChange={(text) => setForm((f) => ({ ...f, text }))}
            error={fields.body}
            onMention={(p) => setPicked((all) => [...all.filter((x) => x.id !== p.id), p])}
          />
        ) : byPhone && phone ? (
          <>
            <ChannelChoice phone={phone} value={channel} onChange={setChannel} />
            <PhoneState phone={phone} channel={byPhone} urgent={urgent} onUrgent={setUrgent} />
            {byPhone === 'whatsapp' && (
              <WhatsappTemplates
                caseId={caseId}
                templates={phone.whatsapp.templates}
                picked={waTemplate?.template_id ?? null}
                onPick={(t, text) => {
                  setWaTemplate(t)
                  setForm((f) => ({ ...f, text: t ? text : '' }))
                }}
              />
            )}
            <Textarea
              label={`${byPhone === 'sms' ? 'SMS' : 'WhatsApp message'} to the customer`}
              autosize
              minRows={3}
              maxLength={1600}
              readOnly={!!waTemplate && byPhone === 'whatsapp'}
              value={form.text}
              onChange={(e) => {
                const text = e.currentTarget.value
                setForm((f) => ({ ...f, text }))
              }}
              error={fields.text}
            />
            {byPhone === 'sms' && <SmsCounter text={form.text} />}
          </>
        ) : (
          <>
            <ChannelChoice phone={phone} value={channel} onChange={setChannel} />
            <Text size="sm">
              To: <b>{customerEmail ?? "the case's customer"}</b>
            </Text>
            <TagsInput
              label="Cc"
              splitChars={[',', ' ', ';']}
              value={form.cc}
              onChange={(cc) => setForm((f) => ({ ...f, cc }))}
              error={addressError(fields, 'cc', form.cc)}
            />
            <TextInput
              label="Subject"
              placeholder="Re: the case's subject and number"
              value={form.subject}
              onChange={(e) => {
                const subject = e.currentTarget.value
                setForm((f) => ({ ...f, subject }))
              }}
              error={fields.subject}
            />
            {/* Beside the template picker, for replies: a macro sends its own message and changes the case. */}
            <SimpleGrid cols={{ base: 1, sm: kind === 'reply' ? 2 : 1 }} spacing="xs">
              <TemplatePicker
                caseId={caseId}
                onUse={(r) => {
                  setHtml(r)
                  setForm((f) => ({ ...f, subject: r.subject, text: r.text }))
                }}
              />
              {kind === 'reply' && <MacroPicker caseId={caseId} />}
            </SimpleGrid>
            <Textarea
              label="Message to the customer"
              autosize
              minRows={4}
              value={form.text}
              onChange={(e) => {
                const text = e.currentTarget.value
                setForm((f) => ({ ...f, text }))
              }}
              error={fields.text ?? fields.html}
            />
            {files.length > 0 && (
              <MultiSelect
                label="Attach files from this case"
                data={files}
                value={form.attachments}
                onChange={(attachments) => setForm((f) => ({ ...f, attachments }))}
                error={errorAt(fields, 'attachment_ids')}
                clearable
              />
            )}
          </>
        )}
        {general && (
          <Alert color="red" role="alert" title="Not sent">
            {general}
          </Alert>
        )}
        <Group justify="flex-end" gap="xs">
          {kind === 'reply' && (
            <Button
              variant="light"
              color={k.color}
              size="xs"
              loading={send.isPending}
              disabled={!writing || blocked}
              onClick={() => submit(true)}
            >
              Send and set waiting on customer
            </Button>
          )}
          <Button
            type="submit"
            size="xs"
            color={k.color}
            c={kind === 'note' ? 'dark' : undefined}
            loading={running.isPending}
            disabled={!writing || blocked}
          >
            {byPhone ? `Send ${byPhone === 'sms' ? 'SMS' : 'WhatsApp'}` : k.button}
          </Button>
        </Group>
      </Stack>
    </Paper>
  )
}

/** A recipient list's error in words: which address is wrong, or that one is needed. */
function addressError(fields: Record<string, string>, path: 'cc', values: string[]): string | undefined {
  if (fields[path]) return 'Add at least one email address'
  const wrong = Object.keys(fields)
    .map((k) => new RegExp(`^${path}\\.(\\d+)`).exec(k)?.[1])
    .find((i) => i !== undefined)
  return wrong === undefined ? undefined : `${values[Number(wrong)] ?? 'An address'} is not an email address`
}
