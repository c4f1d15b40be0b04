import {
  Alert,
  Button,
  Checkbox,
  Group,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { api, ok, type Reply } from '../../api/client'
import { ConfirmButton } from '../../components/ConfirmButton'
import { fieldErrorsOf, generalError } from '../../components/field-errors'
import { OtherErrors } from './shared'

export type Connection = Reply<'/api/v1/integrations/connections', 'get'>['data'][number]
type PhoneChannel = 'sms' | 'whatsapp'
export type Sender = { address: string; channels: PhoneChannel[]; per_second?: number }
type TwilioSettings = { account_sid?: string; senders?: Sender[] }
/** A sender as its inputs hold it: the limit empty for Twilio's documented rate. */
export type SenderDraft = { address: string; sms: boolean; whatsapp: boolean; perSecond: number | '' }

const channelNames: Record<PhoneChannel, string> = { sms: 'SMS', whatsapp: 'WhatsApp' }
export const blankSender: SenderDraft = { address: '', sms: true, whatsapp: false, perSecond: '' }

export const senderOf = (d: SenderDraft): Sender => ({
  address: d.address.trim(),
  channels: [...(d.sms ? ['sms' as const] : []), ...(d.whatsapp ? ['whatsapp' as const] : [])],
  ...(d.perSecond !== '' ? { per_second: d.perSecond } : {}),
})
const draftOf = (s: Sender): SenderDraft => ({
  address: s.address,
  sms: s.channels.includes('sms'),
  whatsapp: s.channels.includes('whatsapp'),
  perSecond: s.per_second ?? '',
})

/** The channels and the per-second limit of a sender being added or edited; `errors` by field name. */
export function SenderFields({
  draft,
  setDraft,
  errors,
  of,
}: {
  draft: SenderDraft
  setDraft: (d: SenderDraft) => void
  errors: Record<string, string | undefined>
  /** The number, for labels that say which sender they belong to. */
  of?: string
}) {
  const suffix = of ? ` for ${of}` : ''
  return (
    <>
      <Stack gap={2} role="group" aria-label={`Channels${suffix}`} pt={of ? 6 : 30}>
        <Group gap="sm">
          <Checkbox
            label="SMS"
            checked={draft.sms}
            onChange={(e) => setDraft({ ...draft, sms: e.currentTarget.checked })}
          />
          <Checkbox
            label="WhatsApp"
            checked={draft.whatsapp}
            onChange={(e) => setDraft({ ...draft, whatsapp: e.currentTarget.checked })}
          />
        </Group>
        {errors.channels && (
          <Text size="xs" c="red">
            {errors.channels}
          </Text>
        )}
      </Stack>
      <NumberInput
        label={of ? undefined : 'Messages a second'}
        aria-label={of ? `Messages a second${suffix}` : undefined}
        placeholder="Twilio's default"
        description={of ? undefined : "Empty: Twilio's documented rate for the number"}
        min={0.1}
        max={1000}
        w={of ? 150 : undefined}
        value={draft.perSecond}
        onChange={(v) => setDraft({ ...draft, perSecond: typeof v === 'number' ? v : '' })}
        error={errors.per_second}
      />
    </>
  )
}

/** The connection's sending numbers; whoever may manage integrations adds, edits and removes them (a PATCH each). */
export function TwilioSenders({ connection: c, editable }: { connection: Connection; editable: boolean }) {
  const qc = useQueryClient()
  const settings = c.settings as TwilioSettings
  const senders = settings.senders ?? []
  const [editing, setEditing] = useState<string | null>(null)
  const [draft, setDraft] = useState<SenderDraft>(blankSender)
  const [added, setAdded] = useState<SenderDraft>(blankSender)
  const [notice, setNotice] = useState<string | null>(null)
  const save = useMutation({
    meta: { inline: true },
    mutationFn: ({ next }: { next: Sender[]; done: string; at: number; adding?: boolean }) =>
      ok(
        api.PATCH('/api/v1/integrations/connections/{id}', {
          params: { path: { id: c.id } },
          body: { settings: { ...c.settings, senders: next } },
        }),
      ),
    onSuccess: async (_, { done, adding }) => {
      await qc.invalidateQueries({ queryKey: ['connections', 'messaging', 'twilio'] })
      if (adding) setAdded(blankSender)
      setEditing(null)
      setNotice(done)
    },
  })
  const run = (next: Sender[], done: string, at: number, adding?: boolean) => {
    setNotice(null)
    save.mutate({ next, done, at, adding })
  }
  // The server names the sender by its index: its errors go beside the inputs of the one being saved.
  const fields = fieldErrorsOf(save.error)
  const at = save.variables?.at
  const errorsAt = (i: number) =>
    at === i
      ? {
          address: fields[`settings.senders.${i}.address`],
          channels: fields[`settings.senders.${i}.channels`],
          per_second: fields[`settings.senders.${i}.per_second`],
        }
      : {}
  const shown = at === undefined ? [] : ['address', 'channels', 'per_second'].map((k) => `settings.senders.${at}.${k}`)
  const general = generalError(save.error, fields)

  return (
    <Stack gap="xs">
      <Table aria-label="Senders" withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Number</Table.Th>
            <Table.Th>Channels</Table.Th>
            <Table.Th>Messages a second</Table.Th>
            {editable && (
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            )}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {senders.map((s, i) =>
            editing === s.address ? (
              <Table.Tr key={s.address}>
                <Table.Td>{s.address}</Table.Td>
                <Table.Td colSpan={2}>
                  <Group gap="sm" align="flex-start">
                    <SenderFields draft={draft} setDraft={setDraft} errors={errorsAt(i)} of={s.address} />
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button
                      size="compact-xs"
                      loading={save.isPending}
                      aria-label={`Save ${s.address}`}
                      onClick={() =>
                        run(
                          senders.map((o, j) => (j === i ? senderOf(draft) : o)),
                          `${s.address} saved.`,
                          i,
                        )
                      }
                    >
                      Save
                    </Button>
                    <Button size="compact-xs" variant="default" onClick={() => setEditing(null)}>
                      Cancel
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ) : (
              <Table.Tr key={s.address}>
                <Table.Td>{s.address}</Table.Td>
                <Table.Td>{s.channels.map((x) => channelNames[x]).join(', ')}</Table.Td>
                <Table.Td>{s.per_second ?? "Twilio's default"}</Table.Td>
                {editable && (
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Button
                        size="compact-xs"
                        variant="light"
                        aria-label={`Edit ${s.address}`}
                        onClick={() => {
                          save.reset()
                          setDraft(draftOf(s))
                          setEditing(s.address)
                        }}
                      >
                        Edit
                      </Button>
                      <ConfirmButton
                        label="Remove"
                        ariaLabel={`Remove ${s.address}`}
                        confirm="Remove"
                        question={`Stop sending from ${s.address}? Its customers' next texts go from another number.`}
                        onConfirm={() =>
                          run(
                            senders.filter((_, j) => j !== i),
                            `${s.address} removed.`,
                            -1,
                          )
                        }
                      />
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            ),
          )}
          {!senders.length && (
            <Table.Tr>
              <Table.Td colSpan={editable ? 4 : 3}>
                <Text size="sm" c="dimmed">
                  No sending numbers: texts are recorded but not sent.
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
      {notice && (
        <Alert color="teal" p="xs" withCloseButton closeButtonLabel="Dismiss" onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
      {general && (
        <Alert color="red" role="alert" p="xs" title="Not saved">
          {general}
        </Alert>
      )}
      <OtherErrors fields={fields} shown={shown} />
      {editable && (
        <Stack
          component="form"
          gap="xs"
          maw={640}
          aria-label="Add a sender"
          onSubmit={(e: FormEvent) => {
            e.preventDefault()
            const sender = senderOf(added)
            run([...senders, sender], `${sender.address} added.`, senders.length, true)
          }}
        >
          <Title order={3} size="h6">
            Add a sender
          </Title>
          <Group grow align="flex-start">
            <TextInput
              label="Number"
              placeholder="+447700900123"
              description="E.164, or a short code"
              required
              value={added.address}
              onChange={(e) => setAdded({ ...added, address: e.currentTarget.value })}
              error={errorsAt(senders.length).address}
            />
            <SenderFields draft={added} setDraft={setAdded} errors={errorsAt(senders.length)} />
          </Group>
          <Group>
            <Button type="submit" size="xs" loading={save.isPending} disabled={!added.address.trim()}>
              Add sender
            </Button>
          </Group>
        </Stack>
      )}
    </Stack>
  )
}
