import {
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Image,
  Loader,
  Menu,
  Paper,
  Popover,
  Select,
  Skeleton,
  Stack,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Timeline,
  Title,
} from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { Link, useParams } from 'react-router'
import { api, ok, type Body } from '../api/client'
import { resolutionCodes, rootCauses } from '../api/enums'
import type { CaseDetail, TimelineEntry } from '../api/types'
import { useAssignees, usePersonName } from '../app/directory'
import { PresenceBadges, usePresenceBeat } from '../app/presence'
import { useCan, useSession } from '../app/session'
import { CasePicker } from '../components/CasePicker'
import { CopyValue } from '../components/CopyValue'
import { ErrorState } from '../components/ErrorState'
import { fieldErrorsOf } from '../components/field-errors'
import { bindForm, Dialog, FormActions } from '../components/form'
import { Loaded } from '../components/lists'
import { dateTime, humanize, orderState, statusColor, statusLabel, timeAgo } from '../components/format'
import { useMoney, type FormatMoney } from '../components/money'
import { NoteText } from '../components/NoteText'
import { LoadMore, usePaged } from '../components/paged'
import { priorityColor, priorityLabel, priorityOptions, type Priority } from '../components/priority'
import { CaseSlaTimers } from '../components/SlaTimers'
import { describeEntry } from '../components/timeline-text'
import { useRuleNames } from './rules/names'
import { Conversation } from './conversation/Conversation'
import { SideConversationsBadge, SideConversationsPanel } from './conversation/SideConversations'
import { EvidencePanel } from './evidence/EvidencePanel'

type StatusBody = Body<'/api/v1/cases/{id}/status', 'post'>
const working = ['open', 'waiting_customer', 'waiting_carrier', 'on_hold'] as const

export function CasePage() {
  const { id = '' } = useParams()
  const c = useQuery({
    queryKey: ['case', id, 'detail'],
    queryFn: () => ok(api.GET('/api/v1/cases/{id}', { params: { path: { id } } })),
  })
  return (
    <Loaded query={c} skeleton={[40, 300]}>
      {(data) => <CaseView c={data} />}
    </Loaded>
  )
}

function useCaseAction<T>(id: string, call: (body: T) => Promise<unknown>) {
  const qc = useQueryClient()
  return useMutation({
    meta: { fieldErrors: true },
    mutationFn: call,
    onSuccess: () =>
      Promise.all([qc.invalidateQueries({ queryKey: ['case', id] }), qc.invalidateQueries({ queryKey: ['cases'] })]),
  })
}

/** A case action on other cases (merge, link): `open` shows the picker, and picking runs `call` with their ids. */
function useCasePicker(caseId: string, title: string, action: string, call: (ids: string[]) => Promise<unknown>) {
  const [opened, { open, close }] = useDisclosure()
  const run = useCaseAction(caseId, call)
  const picker = (
    <CasePicker
      opened={opened}
      close={close}
      title={title}
      action={action}
      exclude={caseId}
      busy={run.isPending}
      onPick={(ids) => run.mutate(ids, { onSuccess: close })}
    />
  )
  return { open, picker }
}

/** Brings the side conversations panel into view and focus (the header's badge). */
function showSidePanel() {
  const panel = document.getElementById('side-conversations')
  panel?.scrollIntoView({ block: 'start' })
  panel?.focus()
}

function CaseView({ c }: { c: CaseDetail }) {
  const [writing, setWriting] = useState(false)
  const [startingSide, setStartingSide] = useState(false)
  const money = useMoney()
  usePresenceBeat(c.id, writing)
  const can = useCan()
  const session = useSession()
  const name = usePersonName()
  const assignees = useAssignees()
  const closedOut = c.status === 'resolved' || c.status === 'closed'
  const editable = can('cases.write') && !closedOut
  const assignable = can('cases.assign') && !closedOut
  // A small input in the header's row, named for screen readers.
  const picker = (label: string, w: number) => ({ size: 'xs', w, 'aria-label': label })
  const assign = useCaseAction(c.id, (assignee_id: string | null) =>
    ok(api.POST('/api/v1/cases/{id}/assign', { params: { path: { id: c.id } }, body: { assignee_id } })),
  )
  const status = useCaseAction(c.id, (body: StatusBody) =>
    ok(api.POST('/api/v1/cases/{id}/status', { params: { path: { id: c.id } }, body })),
  )
  const reopen = useCaseAction(c.id, (reason: string) =>
    ok(api.POST('/api/v1/cases/{id}/reopen', { params: { path: { id: c.id } }, body: reason ? { reason } : {} })),
  )
  const patch = useCaseAction(c.id, (body: Body<'/api/v1/cases/{id}', 'patch'>) =>
    ok(api.PATCH('/api/v1/cases/{id}', { params: { path: { id: c.id } }, body })),
  )
  const [resolving, resolveModal] = useDisclosure()
  const merge = useCasePicker(c.id, 'Merge duplicates into this case', 'Merge', (ids) =>
    ok(api.POST('/api/v1/cases/{id}/merge', { params: { path: { id: c.id } }, body: { duplicate_ids: ids } })),
  )
  const link = useCasePicker(c.id, 'Link related cases', 'Link', (ids) =>
    ok(
      api.POST('/api/v1/cases/{id}/links', {
        params: { path: { id: c.id } },
        body: { links: ids.map((id) => ({ entity_type: 'case', entity_id: id })) },
      }),
    ),
  )

  return (
    <Stack gap="md">
      <Paper withBorder p="md">
        <Stack gap="xs">
          <Group justify="space-between" align="flex-start" wrap="wrap">
            <div>
              <Group gap="sm">
                <Text size="sm" c="dimmed" ff="monospace">
                  {c.number}
                </Text>
                <PresenceBadges caseId={c.id} />
              </Group>
              <Title order={1} size="h3">
                {c.subject || '(no subject)'}
              </Title>
            </div>
            {can('cases.write') && (
              <Group gap="xs" role="toolbar" aria-label="Case actions">
                {c.assignee_id !== session.user_id && !closedOut && (
                  <Button size="xs" onClick={() => assign.mutate(session.user_id)} loading={assign.isPending}>
                    Assign to me
                  </Button>
                )}
                {!closedOut && (
                  <Menu>
                    <Menu.Target>
                      <Button size="xs" variant="default">
                        Set status
                      </Button>
                    </Menu.Target>
                    <Menu.Dropdown>
                      {working
                        .filter((s) => s !== c.status)
                        .map((s) => (
                          <Menu.Item key={s} onClick={() => status.mutate({ status: s })}>
                            {statusLabel(s)}
                          </Menu.Item>
                        ))}
                      <Menu.Divider />
                      <Menu.Item onClick={resolveModal.open}>Resolve…</Menu.Item>
                      <Menu.Item onClick={merge.open}>Merge duplicates into this case…</Menu.Item>
                      <Menu.Item onClick={link.open}>Link related cases…</Menu.Item>
                    </Menu.Dropdown>
                  </Menu>
                )}
                {!closedOut && (
                  <Button size="xs" color="teal.9" onClick={resolveModal.open}>
                    Resolve
                  </Button>
                )}
                {closedOut && (
                  <Button size="xs" variant="default" onClick={() => reopen.mutate('')} loading={reopen.isPending}>
                    Reopen
                  </Button>
                )}
                <CustomerLink caseId={c.id} />
              </Group>
            )}
          </Group>
          <Group gap="xs">
            <Badge variant="outline">{humanize(c.case_type)}</Badge>
            <Badge color={statusColor[c.status]} variant="light" aria-label={`Status: ${statusLabel(c.status)}`}>
              {statusLabel(c.status)}
            </Badge>
            {editable ? (
              <Select
                {...picker('Priority', 110)}
                value={c.priority}
                allowDeselect={false}
                onChange={(p) => p && patch.mutate({ priority: p as Priority })}
                data={priorityOptions}
              />
            ) : (
              <Badge color={priorityColor(c.priority)} variant="dot">
                {priorityLabel(c.priority)}
              </Badge>
            )}
            {assignable ? (
              <Select
                {...picker('Owner', 190)}
                placeholder="Unassigned"
                searchable
                clearable
                value={c.assignee_id}
                data={ownerOptions(assignees.data ?? [], c.assignee_id, name)}
                onChange={(id) => assign.mutate(id)}
              />
            ) : (
              <Text size="sm" aria-label="Assignee">
                Owner: <b>{name(c.assignee_id) ?? 'Unassigned'}</b>
              </Text>
            )}
            {c.escalation_level > 0 && <Badge color="red">Escalated L{c.escalation_level}</Badge>}
            <SideConversationsBadge caseId={c.id} onOpen={showSidePanel} />
            {editable ? (
              <TagsInput
                {...picker('Tags', 260)}
                placeholder="Add tag"
                value={c.tags}
                clearable={false}
                onChange={(next) =>
                  patch.mutate({
                    add_tags: next.filter((t) => !c.tags.includes(t)),
                    remove_tags: c.tags.filter((t) => !next.includes(t)),
                  })
                }
              />
            ) : (
              c.tags.map((t) => (
                <Badge key={t} size="sm" variant="outline">
                  {t}
                </Badge>
              ))
            )}
            {c.value && (
              <Text size="sm">
                At stake: <b>{money(c.value.amount_minor, c.value.currency)}</b>
              </Text>
            )}
            {c.resolution_code && (
              <Text size="sm">
                Resolution: <b>{humanize(c.resolution_code)}</b>
                {c.root_cause ? ` · root cause ${humanize(c.root_cause)}` : ''}
              </Text>
            )}
          </Group>
          <CaseSlaTimers caseId={c.id} />
          {c.merged_into_id && (
            <Text size="sm">
              Merged into{' '}
              <Anchor component={Link} to={`/cases/${c.merged_into_id}`}>
                the surviving case
              </Anchor>
            </Text>
          )}
        </Stack>
      </Paper>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="md">
            <Conversation
              caseId={c.id}
              customerEmail={customerEmailOf(c)}
              canWrite={can('cases.write') && !c.merged_into_id}
              onWriting={setWriting}
              onNewSide={() => setStartingSide(true)}
            />
            <CaseTimeline caseId={c.id} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="md">
            <SideConversationsPanel caseId={c.id} startOpen={startingSide} onStart={setStartingSide} />
            <EvidencePanel caseId={c.id} canWrite={can('cases.write') && !c.merged_into_id} />
            <Linked c={c} />
          </Stack>
        </Grid.Col>
      </Grid>
      {merge.picker}
      {link.picker}
      <ResolveModal
        opened={resolving}
        close={resolveModal.close}
        pending={status.isPending}
        error={status.error}
        submit={(body) => status.mutate(body, { onSuccess: resolveModal.close })}
      />
    </Stack>
  )
}

/** A signed status-page link for the customer (30 days), to paste into a reply. */
function CustomerLink({ caseId }: { caseId: string }) {
  const link = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/cases/{id}/portal-links', { params: { path: { id: caseId } }, body: {} })),
  })
  return (
    <Popover position="bottom-end" width={360} onOpen={() => link.mutate()}>
      <Popover.Target>
        <Button size="xs" variant="default">
          Customer link
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        {link.isPending && <Loader size="xs" />}
        {link.data && (
          <Stack gap="xs">
            <Text size="sm">The customer follows the case here, until {dateTime(link.data.expires_at)}:</Text>
            <TextInput
              readOnly
              value={link.data.url}
              aria-label="Customer status link"
              onFocus={(e) => e.currentTarget.select()}
            />
            <CopyValue value={link.data.url} size="xs">
              Copy link
            </CopyValue>
          </Stack>
        )}
      </Popover.Dropdown>
    </Popover>
  )
}

function ResolveModal({
  opened,
  close,
  submit,
  pending,
  error,
}: {
  opened: boolean
  close: () => void
  submit: (b: StatusBody) => void
  pending: boolean
  error: Error | null
}) {
  const [form, setForm] = useState({ code: null as string | null, cause: null as string | null, note: '' })
  const { code, cause, note } = form
  const field = bindForm(form, setForm, fieldErrorsOf(error))
  return (
    <Dialog opened={opened} onClose={close} title="Resolve case">
      <Stack
        component="form"
        onSubmit={(e: FormEvent) => {
          e.preventDefault()
          if (code)
            submit({
              status: 'resolved',
              resolution_code: code as StatusBody['resolution_code'] & string,
              ...(cause ? { root_cause: cause as StatusBody['root_cause'] & string } : {}),
              ...(note ? { resolution_note: note } : {}),
            })
        }}
      >
        <Select
          label="Resolution"
          required
          data={resolutionCodes.map((r) => ({ value: r, label: humanize(r) }))}
          {...field.value('code', 'resolution_code')}
        />
        <Select
          label="Root cause"
          clearable
          data={rootCauses.map((r) => ({ value: r, label: humanize(r) }))}
          {...field.value('cause', 'root_cause')}
        />
        <Textarea label="Note" autosize minRows={2} {...field.text('note', 'resolution_note')} />
        <FormActions cancel={close} color="teal.9" disabled={!code} loading={pending}>
          Resolve
        </FormActions>
      </Stack>
    </Dialog>
  )
}

const customerEmailOf = (c: CaseDetail) => {
  const email = c.links.find((l) => l.entity_type === 'customer')?.summary.email
  return typeof email === 'string' ? email : null
}

function CaseTimeline({ caseId }: { caseId: string }) {
  const money = useMoney()
  // Entries a rule wrote name it by id.
  const ruleNames = useRuleNames()
  const { query: timeline, rows: entries } = usePaged(['case', caseId, 'timeline'], (cursor) =>
    ok(
      api.GET('/api/v1/cases/{id}/timeline', {
        params: { path: { id: caseId }, query: { limit: 50, ...(cursor ? { cursor } : {}) } },
      }),
    ),
  )
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="sm">
        Timeline
      </Title>
      {timeline.isPending && <Skeleton h={200} />}
      {timeline.isError && <ErrorState error={timeline.error} retry={() => void timeline.refetch()} />}
      <Timeline bulletSize={12} lineWidth={2} aria-label="Case timeline">
        {entries.map((e) => (
          <TimelineItem
            key={e.id}
            e={e.actor.type === 'rule' ? { ...e, names: { ...ruleNames, ...e.names } } : e}
            money={money}
          />
        ))}
      </Timeline>
      <LoadMore query={timeline} mt="xs">
        Load later entries
      </LoadMore>
    </Card>
  )
}

// Timeline passes its item props (active, alignment) through to each child.
function TimelineItem({ e, money, ...rest }: { e: TimelineEntry; money: FormatMoney }) {
  const { sentence, detail } = describeEntry(e, money)
  const note = e.type === 'note'
  const title = (
    <Group gap={6}>
      <Text size="sm" fw={600}>
        {sentence}
      </Text>
      <Text size="xs" c="dimmed" title={dateTime(e.occurred_at)}>
        {timeAgo(e.occurred_at)}
      </Text>
    </Group>
  )
  return (
    <Timeline.Item
      {...rest}
      color={note ? 'yellow' : e.type === 'carrier_event' ? 'orange' : undefined}
      data-entry-type={e.type}
      title={title}
    >
      {note && <NoteText e={e} bg="var(--mantine-color-yellow-light)" p={6} />}
      {e.type === 'rule' && typeof e.data.rule_id === 'string' && (
        <Anchor component={Link} to={`/rules/${e.data.rule_id}`} size="sm">
          Open the rule
        </Anchor>
      )}
      {detail && (
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {detail}
        </Text>
      )}
    </Timeline.Item>
  )
}

function Linked({ c }: { c: CaseDetail }) {
  const money = useMoney()
  const of = (type: string) => c.links.filter((l) => l.entity_type === type)
  return (
    <>
      {of('customer').map((l) => (
        <Card withBorder key={l.entity_id}>
          <Title order={2} size="h5">
            Customer
          </Title>
          <Anchor component={Link} to={`/customers/${l.entity_id}`} size="sm" fw={600}>
            {String(l.summary.name ?? 'Customer')}
          </Anchor>
          {typeof l.summary.email === 'string' && (
            <Text size="sm" c="dimmed">
              {l.summary.email}
            </Text>
          )}
          {typeof l.summary.segment === 'string' && (
            <Badge size="sm" variant="light">
              {l.summary.segment}
            </Badge>
          )}
        </Card>
      ))}
      {of('order').map((l) => {
        const s = l.summary as {
          order_number?: string
          status?: string
          total?: { amount_minor: number; currency: string }
          lines?: { sku: string; name: string; quantity: number }[]
          payments?: { captured_amount_minor: number; refunded_amount_minor: number }[]
        }
        return (
          <Card withBorder key={l.entity_id}>
            <Group justify="space-between">
              <Title order={2} size="h5">
                Order {s.order_number}
              </Title>
              {s.total && (
                <Text size="sm" fw={600}>
                  {money(s.total.amount_minor, s.total.currency)}
                </Text>
              )}
            </Group>
            {s.status && (
              <Text size="xs" c="dimmed">
                {orderState({ status: s.status, payments: s.payments ?? [] })}
              </Text>
            )}
            <Stack gap={2} mt={4}>
              {s.lines?.map((line) => (
                <Text size="sm" key={line.sku}>
                  {line.quantity} × {line.name}{' '}
                  <Text span size="xs" c="dimmed">
                    {line.sku}
                  </Text>
                </Text>
              ))}
            </Stack>
          </Card>
        )
      })}
      {of('shipment').map((l) => (
        <Shipment key={l.entity_id} id={l.entity_id} summary={l.summary} />
      ))}
      {of('case').length > 0 && (
        <Card withBorder>
          <Title order={2} size="h5">
            Related cases
          </Title>
          {of('case').map((l) => (
            <Text size="sm" key={l.entity_id}>
              <Anchor component={Link} to={`/cases/${l.entity_id}`}>
                {String(l.summary.number ?? 'Case')}
              </Anchor>{' '}
              {String(l.summary.subject ?? '')} · {humanize(String(l.summary.status ?? ''))}
            </Text>
          ))}
        </Card>
      )}
      {!c.links.length && (
        <Text size="sm" c="dimmed">
          No linked order, shipment or customer
        </Text>
      )}
    </>
  )
}

function Shipment({ id, summary }: { id: string; summary: Record<string, unknown> }) {
  const tracking = useQuery({
    queryKey: ['shipment', id, 'tracking'],
    queryFn: () => ok(api.GET('/api/v1/shipments/{id}/tracking', { params: { path: { id } } })),
  })
  const events = (tracking.data?.data ?? [])
    .flatMap((t) => t.events)
    .sort((a, b) => Date.parse(b.occurred_at) - Date.parse(a.occurred_at))
  const proofs = (tracking.data?.data ?? []).flatMap((t) =>
    t.proofs.map((p) => ({ ...p, url: `/api/v1/trackers/${t.id}/proofs/${p.id}` })),
  )
  return (
    <Card withBorder>
      <Group justify="space-between">
        <Title order={2} size="h5">
          Shipment
        </Title>
        {typeof summary.status === 'string' && (
          <Badge variant="light" aria-label={`Shipment status: ${humanize(summary.status)}`}>
            {humanize(summary.status)}
          </Badge>
        )}
      </Group>
      <Text size="sm">
        {String(summary.carrier_name ?? summary.carrier_code ?? '')}{' '}
        <Text span ff="monospace">
          {String(summary.tracking_number ?? '')}
        </Text>
      </Text>
      {tracking.isPending && <Skeleton h={80} mt="xs" />}
      {tracking.isError && (
        <Text size="sm" c="red">
          {tracking.error.message}
        </Text>
      )}
      {tracking.isSuccess && !events.length && (
        <Text size="sm" c="dimmed" mt="xs">
          No carrier scans yet
        </Text>
      )}
      {proofs.length > 0 && (
        <Group gap="xs" mt="sm" aria-label="Proof of delivery">
          {proofs.map((p) =>
            p.content_type.startsWith('image/') ? (
              <Anchor key={p.id} href={p.url} target="_blank" rel="noopener">
                <Image
                  src={p.url}
                  alt={`Proof of delivery: ${p.kind}`}
                  h={72}
                  w="auto"
                  fit="contain"
                  radius="sm"
                  bd="1px solid var(--mantine-color-default-border)"
                />
              </Anchor>
            ) : (
              <Anchor key={p.id} href={p.url} target="_blank" rel="noopener" size="sm">
                Proof of delivery ({p.kind})
              </Anchor>
            ),
          )}
        </Group>
      )}
      <Timeline bulletSize={10} lineWidth={2} mt="sm" aria-label="Tracking timeline">
        {events.map((e) => (
          <Timeline.Item
            key={e.id}
            title={
              <Text size="sm" fw={600}>
                {humanize(e.status)}
                {e.sub_status ? ` · ${humanize(e.sub_status)}` : ''}
              </Text>
            }
          >
            {e.message && <Text size="sm">{e.message}</Text>}
            <Text size="xs" c="dimmed">
              {dateTime(e.occurred_at)}
              {e.location?.city ? ` · ${[e.location.city, e.location.country].filter(Boolean).join(', ')}` : ''}
              {e.signed_by ? ` · signed by ${e.signed_by}` : ''}
            </Text>
          </Timeline.Item>
        ))}
      </Timeline>
    </Card>
  )
}

/** People who can work cases; the current owner stays listed even if their role has since changed, so the picker names them. */
function ownerOptions(
  people: { id: string; name: string }[],
  current: string | null,
  name: (id: string) => string | null,
) {
  const options = people.map((p) => ({ value: p.id, label: p.name }))
  return current && !people.some((p) => p.id === current)
    ? [{ value: current, label: name(current) ?? 'Someone' }, ...options]
    : options
}
