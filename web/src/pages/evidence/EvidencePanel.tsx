import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Image,
  MultiSelect,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ApiError, ok, sendForm, type Reply } from '../../api/client'
import { useCan } from '../../app/session'
import { ConfirmButton } from '../../components/ConfirmButton'
import { CopyValue } from '../../components/CopyValue'
import { dateTime, humanize } from '../../components/format'
import { Dialog, FormActions, FormDialog } from '../../components/form'
import { SectionHeader } from '../../components/SectionHeader'

type Item = Reply<'/api/v1/cases/{id}/evidence', 'get'>['data'][number]
type EvidenceType = Reply<'/api/v1/evidence/types', 'get'>['data'][number]
type Request = Reply<'/api/v1/cases/{id}/evidence-requests', 'get'>['data'][number]

const evidenceKey = (caseId: string) => ['case', caseId, 'evidence']

const uploaderWords: Record<Item['uploader_kind'], string> = {
  agent: 'agent',
  customer: 'customer',
  carrier: 'carrier',
  system: 'Claimdesk',
}

function useTypes() {
  return useQuery({
    queryKey: ['evidence-types'],
    queryFn: () => ok(api.GET('/api/v1/evidence/types')),
    staleTime: 5 * 60_000,
  })
}

/** The case's evidence: the missing-evidence checklist, the gallery, uploads, requests to the customer, the pack. */
export function EvidencePanel({ caseId, canWrite }: { caseId: string; canWrite: boolean }) {
  const can = useCan()
  const queryClient = useQueryClient()
  const types = useTypes()
  const label = (key: string) => types.data?.data.find((t) => t.key === key)?.label ?? humanize(key)
  const items = useQuery({
    queryKey: evidenceKey(caseId),
    queryFn: () => ok(api.GET('/api/v1/cases/{id}/evidence', { params: { path: { id: caseId } } })),
  })
  const check = useQuery({
    queryKey: [...evidenceKey(caseId), 'check'],
    queryFn: () =>
      ok(api.GET('/api/v1/cases/{id}/evidence/check', { params: { path: { id: caseId }, query: { for: 'case' } } })),
  })
  const refresh = () => queryClient.invalidateQueries({ queryKey: evidenceKey(caseId) })
  const [uploading, upload] = useDisclosure()
  const [asking, ask] = useDisclosure()
  const all = items.data?.data ?? []
  const candidates = all.filter((i) => i.status === 'candidate')
  const active = all.filter((i) => i.status !== 'candidate')

  return (
    <Card withBorder aria-label="Evidence" component="section">
      <SectionHeader
        title={`Evidence (${active.length})`}
        action={
          <Group gap="xs">
            {active.length > 0 && (
              <Button size="xs" variant="default" component="a" href={`/api/v1/cases/${caseId}/evidence/pack`} download>
                Download pack
              </Button>
            )}
            {canWrite && (
              <>
                <Button size="xs" variant="default" onClick={upload.open}>
                  Upload
                </Button>
                <Button size="xs" onClick={ask.open}>
                  Ask customer
                </Button>
              </>
            )}
          </Group>
        }
      />
      <Stack gap="sm" mt="sm">
        {check.data && check.data.required.length > 0 && (
          <Checklist required={check.data.required} missing={check.data.missing} label={label} />
        )}
        {items.isError && <Alert color="red">The evidence did not load.</Alert>}
        {candidates.length > 0 && (
          <Paper withBorder p="xs" aria-label="To classify">
            <Text size="sm" fw={500}>
              From the customer's messages: classify to keep
            </Text>
            <Stack gap="xs" mt="xs">
              {candidates.map((i) => (
                <Candidate key={i.id} item={i} types={types.data?.data ?? []} canWrite={canWrite} done={refresh} />
              ))}
            </Stack>
          </Paper>
        )}
        {active.length === 0 && !items.isPending ? (
          <Text size="sm" c="dimmed">
            No evidence yet.
          </Text>
        ) : (
          <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="xs">
            {active.map((i) => (
              <Tile key={i.id} item={i} label={label(i.type_key)} canWrite={canWrite} done={refresh} />
            ))}
          </SimpleGrid>
        )}
        <Requests caseId={caseId} label={label} canWrite={canWrite} />
        {can('holds.manage') && <HoldControl caseId={caseId} />}
      </Stack>
      <UploadDialog
        caseId={caseId}
        opened={uploading}
        close={upload.close}
        types={types.data?.data ?? []}
        done={refresh}
      />
      <RequestDialog
        caseId={caseId}
        opened={asking}
        close={ask.close}
        types={types.data?.data ?? []}
        missing={check.data?.missing ?? []}
      />
    </Card>
  )
}

function Checklist({
  required,
  missing,
  label,
}: {
  required: string[]
  missing: string[]
  label: (k: string) => string
}) {
  return (
    <Stack gap={4} role="list" aria-label="Required evidence">
      {required.map((key) => {
        const absent = missing.includes(key)
        return (
          <Group key={key} gap="xs" role="listitem">
            <Badge size="sm" color={absent ? 'red.9' : 'teal.9'} variant="filled">
              {absent ? 'Missing' : 'Present'}
            </Badge>
            <Text size="sm">{label(key)}</Text>
          </Group>
        )
      })}
      {missing.length === 0 && (
        <Text size="sm" fw={500}>
          All required evidence is in.
        </Text>
      )}
    </Stack>
  )
}

function Tile({ item, label, canWrite, done }: { item: Item; label: string; canWrite: boolean; done: () => void }) {
  const remove = useMutation({
    mutationFn: () => ok(api.DELETE('/api/v1/evidence/{id}', { params: { path: { id: item.id } } })),
    onSuccess: done,
  })
  const file = `/api/v1/evidence/${item.id}/file`
  return (
    <Paper withBorder p={6} aria-label={`${label}: ${item.original_name}`}>
      <Anchor href={file} target="_blank" rel="noopener" aria-label={`Open ${item.original_name}`}>
        {item.has_thumbnail ? (
          <Image
            src={`/api/v1/evidence/${item.id}/thumbnail`}
            alt={`${label}: ${item.original_name}`}
            h={96}
            fit="cover"
            radius="xs"
          />
        ) : (
          <Paper bg="gray.1" h={96} p="xs">
            <Text size="xs" fw={700} c="dark.6">
              {item.content_type === 'application/pdf' ? 'PDF' : item.content_type}
            </Text>
            <Text size="xs" lineClamp={3}>
              {item.original_name}
            </Text>
          </Paper>
        )}
      </Anchor>
      <Text size="xs" fw={500} mt={4} lineClamp={1}>
        {label}
      </Text>
      <Text size="xs" c="dimmed" lineClamp={1}>
        {uploaderWords[item.uploader_kind]} · {dateTime(item.created_at)}
      </Text>
      <Text size="xs" c="dimmed" ff="monospace" title={item.sha256}>
        {item.sha256.slice(0, 12)}
      </Text>
      {canWrite && (
        <ConfirmButton
          label="Delete"
          ariaLabel={`Delete ${item.original_name}`}
          question="Delete this file from the case? The audit trail keeps its checksum."
          confirm="Delete"
          pending={remove.isPending}
          onConfirm={() => remove.mutate()}
        />
      )}
      {remove.error && (
        <Text size="xs" c="red.8" role="alert">
          {remove.error.message}
        </Text>
      )}
    </Paper>
  )
}

/** An attachment of a customer's message: one click makes it evidence of the chosen type. */
function Candidate({
  item,
  types,
  canWrite,
  done,
}: {
  item: Item
  types: EvidenceType[]
  canWrite: boolean
  done: () => void
}) {
  const classify = useMutation({
    mutationFn: (type_key: string) =>
      ok(api.PATCH('/api/v1/evidence/{id}', { params: { path: { id: item.id } }, body: { type_key } })),
    onSuccess: done,
  })
  return (
    <Group gap="xs" wrap="nowrap">
      <Anchor href={`/api/v1/evidence/${item.id}/file`} target="_blank" rel="noopener" size="sm" lineClamp={1}>
        {item.original_name}
      </Anchor>
      {canWrite && (
        <Select
          size="xs"
          w={180}
          placeholder="Classify as…"
          aria-label={`Classify ${item.original_name}`}
          data={types.map((t) => ({ value: t.key, label: t.label }))}
          onChange={(key) => key && classify.mutate(key)}
          disabled={classify.isPending}
        />
      )}
    </Group>
  )
}

function UploadDialog({
  caseId,
  opened,
  close,
  types,
  done,
}: {
  caseId: string
  opened: boolean
  close: () => void
  types: EvidenceType[]
  done: () => void
}) {
  const [type, setType] = useState<string | null>(null)
  const [file, setFile] = useState<File | null>(null)
  const [notes, setNotes] = useState('')
  const [progress, setProgress] = useState(0)
  const save = useMutation({
    mutationFn: () => {
      const form = new FormData()
      form.append('type', type ?? '')
      if (notes) form.append('notes', notes)
      if (file) form.append('file', file, file.name)
      return sendForm(`/api/v1/cases/${caseId}/evidence`, form, setProgress)
    },
    onSuccess: () => {
      setFile(null)
      setNotes('')
      close()
      done()
    },
  })
  return (
    <FormDialog opened={opened} onClose={close} title="Upload evidence" submit={() => save.mutate()}>
      <Select
        label="Type"
        required
        data={types.map((t) => ({ value: t.key, label: t.label }))}
        value={type}
        onChange={setType}
        searchable
      />
      <Stack gap={4}>
        <Text size="sm" fw={500} component="label" htmlFor={`evidence-file-${caseId}`}>
          File
        </Text>
        <input
          id={`evidence-file-${caseId}`}
          type="file"
          onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
        />
      </Stack>
      <Textarea label="Notes" value={notes} onChange={(e) => setNotes(e.currentTarget.value)} autosize minRows={2} />
      {save.isPending && <Text size="sm">{Math.round(progress * 100)}% sent</Text>}
      {save.error && (
        <Alert color="red" role="alert">
          {save.error instanceof ApiError ? save.error.message : 'The upload failed.'}
        </Alert>
      )}
      <FormActions cancel={close} loading={save.isPending} disabled={!type || !file}>
        Upload
      </FormActions>
    </FormDialog>
  )
}

function RequestDialog({
  caseId,
  opened,
  close,
  types,
  missing,
}: {
  caseId: string
  opened: boolean
  close: () => void
  types: EvidenceType[]
  missing: string[]
}) {
  const queryClient = useQueryClient()
  const [wanted, setWanted] = useState<string[] | null>(null)
  const [message, setMessage] = useState('')
  const [hours, setHours] = useState<number>(48)
  const chosen = wanted ?? missing
  const save = useMutation({
    meta: { fieldErrors: true },
    mutationFn: () =>
      ok(
        api.POST('/api/v1/cases/{id}/evidence-requests', {
          params: { path: { id: caseId } },
          body: { types: chosen, message, deadline_hours: hours },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: evidenceKey(caseId) }),
  })
  const finish = () => {
    save.reset()
    setWanted(null)
    setMessage('')
    close()
  }
  return (
    <Dialog opened={opened} onClose={finish} title="Ask the customer for evidence">
      {save.data ? (
        <Stack>
          <Alert color="teal" role="status">
            Sent to the customer. The link works until {dateTime(save.data.due_at)}.
          </Alert>
          <TextInput label="Upload link" value={save.data.url} readOnly />
          <Group justify="flex-end">
            <CopyValue value={save.data.url}>Copy link</CopyValue>
            <Button onClick={finish}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <Stack
          component="form"
          onSubmit={(e) => {
            e.preventDefault()
            save.mutate()
          }}
        >
          <MultiSelect
            label="What to ask for"
            required
            data={types.map((t) => ({ value: t.key, label: t.label }))}
            value={chosen}
            onChange={setWanted}
          />
          <Textarea
            label="Message to the customer"
            description="Why you need it; it is shown with the link."
            value={message}
            onChange={(e) => setMessage(e.currentTarget.value)}
            autosize
            minRows={3}
          />
          <NumberInput
            label="Due in (hours)"
            min={1}
            max={24 * 30}
            value={hours}
            onChange={(v) => setHours(Number(v) || 48)}
          />
          {save.error && (
            <Alert color="red" role="alert">
              {save.error.message}
            </Alert>
          )}
          <FormActions cancel={finish} loading={save.isPending} disabled={chosen.length === 0}>
            Send request
          </FormActions>
        </Stack>
      )}
    </Dialog>
  )
}

const requestColor: Record<Request['status'], string> = {
  open: 'indigo.9',
  completed: 'teal.9',
  overdue: 'red.9',
  cancelled: 'gray.8',
}

function Requests({ caseId, label, canWrite }: { caseId: string; label: (k: string) => string; canWrite: boolean }) {
  const queryClient = useQueryClient()
  const requests = useQuery({
    queryKey: [...evidenceKey(caseId), 'requests'],
    queryFn: () => ok(api.GET('/api/v1/cases/{id}/evidence-requests', { params: { path: { id: caseId } } })),
  })
  const cancel = useMutation({
    mutationFn: (id: string) => ok(api.POST('/api/v1/evidence-requests/{id}/cancel', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: evidenceKey(caseId) }),
  })
  const list = requests.data?.data ?? []
  if (list.length === 0) return null
  return (
    <Stack gap={4} aria-label="Requests to the customer">
      <Text size="sm" fw={500}>
        Requests to the customer
      </Text>
      {list.map((r) => (
        <Group key={r.id} gap="xs" justify="space-between" wrap="nowrap">
          <Text size="sm" lineClamp={1}>
            <Badge size="xs" color={requestColor[r.status]} variant="filled" mr={6}>
              {humanize(r.status)}
            </Badge>
            {r.type_keys.map(label).join(', ')} · due {dateTime(r.due_at)}
          </Text>
          {canWrite && (r.status === 'open' || r.status === 'overdue') && (
            <ConfirmButton
              label="Cancel"
              ariaLabel="Cancel request"
              question="Cancel this request? Its link stops working."
              confirm="Cancel request"
              pending={cancel.isPending}
              onConfirm={() => cancel.mutate(r.id)}
            />
          )}
        </Group>
      ))}
    </Stack>
  )
}

/** Managers place and release a legal hold: a held case's files survive every purge and deletion. */
function HoldControl({ caseId }: { caseId: string }) {
  const queryClient = useQueryClient()
  const key = ['holds', 'case', caseId]
  const holds = useQuery({
    queryKey: key,
    queryFn: () =>
      ok(api.GET('/api/v1/holds', { params: { query: { subject_type: 'case', subject_id: caseId, active: true } } })),
  })
  const [reason, setReason] = useState('')
  const [placing, place] = useDisclosure()
  const invalidate = () => queryClient.invalidateQueries({ queryKey: key })
  const add = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/holds', { body: { subject_type: 'case', subject_id: caseId, reason } })),
    onSuccess: () => {
      setReason('')
      place.close()
      return invalidate()
    },
  })
  const release = useMutation({
    mutationFn: (id: string) =>
      ok(
        api.POST('/api/v1/holds/{id}/release', {
          params: { path: { id } },
          body: { reason: 'Released from the case page' },
        }),
      ),
    onSuccess: invalidate,
  })
  const active = holds.data?.data[0]
  return (
    <Group gap="xs" justify="space-between">
      {active ? (
        <>
          <Text size="sm">
            <Badge color="orange.9" mr={6}>
              Legal hold
            </Badge>
            {active.reason} · since {dateTime(active.placed_at)}
          </Text>
          <ConfirmButton
            label="Release hold"
            question="Release the legal hold? Retention and deletion apply again."
            confirm="Release"
            pending={release.isPending}
            onConfirm={() => release.mutate(active.id)}
          />
        </>
      ) : (
        <Button size="xs" variant="default" onClick={place.open}>
          Place legal hold
        </Button>
      )}
      <FormDialog opened={placing} onClose={place.close} title="Place a legal hold" submit={() => add.mutate()}>
        <Text size="sm">Nothing on this case can be purged or deleted until the hold is released.</Text>
        <TextInput label="Reason" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
        {add.error && (
          <Alert color="red" role="alert">
            {add.error.message}
          </Alert>
        )}
        <FormActions cancel={place.close} loading={add.isPending} disabled={!reason.trim()}>
          Place hold
        </FormActions>
      </FormDialog>
    </Group>
  )
}
