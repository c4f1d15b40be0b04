import {
  Badge,
  Button,
  Checkbox,
  Group,
  Loader,
  Menu,
  NavLink,
  Paper,
  SegmentedControl,
  Select,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core'
import { useHotkeys } from '@mantine/hooks'
import { notifications } from '@mantine/notifications'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useMemo, useRef, useState } from 'react'
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router'
import { api, ok, type Body, type Query } from '../api/client'
import type { CaseSummary } from '../api/types'
import { useAssignees, useCaseTypes, usePersonName, useTeams } from '../app/directory'
import { casesChanged } from '../app/live'
import { useOpenSearch } from '../app/search'
import { useCan, useSession } from '../app/session'
import { EnterInput } from '../components/EnterInput'
import { ErrorState } from '../components/ErrorState'
import { caseStatuses, humanize, statusColor, timeAgo } from '../components/format'
import { LoadMore, usePaged } from '../components/paged'
import { priorities, priorityColor, priorityLabel, priorityOptions } from '../components/priority'
import { soonWindows } from '../components/sla'
import { RowSla } from '../components/SlaTimers'

type CaseQuery = Query<'/api/v1/cases'>
type BulkAction = Body<'/api/v1/cases/bulk', 'post'>['action']

// Filters live in the address, so a view can be bookmarked, shared and reloaded.
const filterKeys = [
  'view',
  'status',
  'case_type',
  'priority',
  'assignee_id',
  'team_id',
  'tag',
  'carrier',
  'customer_id',
  'shipment_id',
  'q',
  'age',
  'sort',
  'sla',
  'within',
] as const
const ageLabels = { '0_24h': '0–24 h', '24_72h': '24–72 h', '72h_plus': '72 h+' } as const

// The SLA views, kept in the address as `sla=soon` (with `within=` hours) or `sla=breached`: "breaching soon" is a
// running target due within the window from the moment the view was opened, due first.
const slaViews = { soon: 'Breaching soon', breached: 'SLA breached' } as const
type SlaView = keyof typeof slaViews
const slaViewOf = (v: string | null): SlaView | null => (v === 'soon' || v === 'breached' ? v : null)

function slaFilters(view: SlaView, withinHours: number, now: number): Partial<CaseQuery> {
  if (view === 'breached') return { sla_state: 'breached', sort: 'sla_due' }
  return { sla_state: 'active', sla_due_before: new Date(now + withinHours * 3_600_000).toISOString(), sort: 'sla_due' }
}

export function Inbox() {
  const [params, setParams] = useSearchParams()
  const navigate = useNavigate()
  const can = useCan()
  const qc = useQueryClient()
  const views = useCaseViews()
  const viewId = params.get('view') ?? (params.toString() ? null : 'all_open')
  const view = views.data?.find((v) => v.id === viewId)
  const sla = slaViewOf(params.get('sla'))
  const within = Number(params.get('within') ?? 4) || 4
  // The window's end is fixed when the view opens (or its window changes), so the query key stays put.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new window or view starts from now
  const openedAt = useMemo(() => Date.now(), [sla, within])

  // A view's filters, then whatever the person changed on top of them.
  const query = useMemo(() => {
    const q: Record<string, unknown> = { ...(view?.filters ?? {}), ...(view ? { sort: view.sort } : {}) }
    for (const k of filterKeys) if (k !== 'view' && k !== 'sla' && k !== 'within' && params.get(k)) q[k] = params.get(k)
    if (sla) Object.assign(q, slaFilters(sla, within, openedAt), params.get('sort') ? { sort: params.get('sort') } : {})
    // A person's or a parcel's cases: every status; otherwise the inbox is what is still open.
    if (!view && !params.get('status') && !params.get('q') && !params.get('customer_id') && !params.get('shipment_id'))
      q.status = 'unresolved'
    if (q.q && !params.get('sort')) q.sort = 'relevance'
    return q as CaseQuery
  }, [view, params, sla, within, openedAt])
  const ready = !viewId || views.isSuccess

  const { query: list, rows } = usePaged(
    ['cases', 'inbox', query],
    // No counts for a search: counting every match of a common word costs far more than the page itself.
    (cursor) =>
      ok(
        api.GET('/api/v1/cases', {
          params: { query: { ...query, limit: 50, counts: !cursor && !query.q, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    { enabled: ready },
  )
  const counts = list.data?.pages[0]?.counts

  const set = (key: (typeof filterKeys)[number], value: string | null) => {
    const next = new URLSearchParams(params)
    if (value) next.set(key, value)
    else next.delete(key)
    if (key !== 'view' && !next.get('view') && viewId) next.set('view', viewId)
    setParams(next)
  }

  // Selection and keyboard: j/k move, x selects, Enter opens (as in Gmail and Zendesk).
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const news = useLiveNews(list.refetch, selected.size)
  const [cursor, setCursor] = useState(0)
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new query clears the selection
  useEffect(() => setSelected(new Set()), [query])
  useHotkeys([
    ['j', () => setCursor((c) => Math.min(rows.length - 1, c + 1))],
    ['k', () => setCursor((c) => Math.max(0, c - 1))],
    ['x', () => rows[cursor] && toggle(rows[cursor].id)],
    ['Enter', () => rows[cursor] && navigate(`/cases/${rows[cursor].id}`)],
  ])
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s)
      if (n.has(id)) n.delete(id)
      else n.add(id)
      return n
    })

  const bulk = useMutation({
    mutationFn: (action: BulkAction) =>
      ok(api.POST('/api/v1/cases/bulk', { body: { case_ids: [...selected], action } })),
    onSuccess: (r) => {
      notifications.show({
        color: r.failed ? 'orange' : 'teal',
        title: `${r.succeeded} updated${r.failed ? `, ${r.failed} refused` : ''}`,
        message:
          r.results
            .filter((x) => !x.ok)
            .slice(0, 3)
            .map((x) => x.error?.message)
            .join('; ') || 'Done',
      })
      setSelected(new Set())
      void qc.invalidateQueries({ queryKey: ['cases'] })
    },
  })

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={2} size="h3">
          {query.q ? `Search: ${query.q}` : sla ? slaViews[sla] : (view?.name ?? 'Cases')}
        </Title>
        {list.isFetching && !list.isFetchingNextPage && <Loader size="xs" aria-label="Refreshing" />}
      </Group>
      <Filters query={query} set={set} />
      {sla === 'soon' && (
        <SegmentedControl
          size="xs"
          value={String(within)}
          onChange={(v) => set('within', v)}
          aria-label="Due within"
          data={soonWindows.map((h) => ({ value: String(h), label: `Due within ${h} h` }))}
        />
      )}
      <SegmentedControl
        size="xs"
        value={params.get('age') ?? 'all'}
        onChange={(v) => set('age', v === 'all' ? null : v)}
        aria-label="Age"
        data={[
          { value: 'all', label: counts ? `All ${counts['0_24h'] + counts['24_72h'] + counts['72h_plus']}` : 'All' },
          ...Object.entries(ageLabels).map(([value, label]) => ({
            value,
            label: counts ? `${label} ${counts[value as keyof typeof ageLabels]}` : label,
          })),
        ]}
      />
      {news.pending > 0 && (
        <Button variant="light" size="xs" onClick={news.show} aria-live="polite" style={{ alignSelf: 'center' }}>
          {news.pending} new or changed {news.pending === 1 ? 'case' : 'cases'}: show
        </Button>
      )}
      {selected.size > 0 && can('cases.write') && (
        <BulkBar count={selected.size} run={(a) => bulk.mutate(a)} busy={bulk.isPending} />
      )}
      {list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : (
        <Paper withBorder>
          <CaseTable
            rows={rows}
            loading={list.isPending}
            selected={selected}
            toggle={toggle}
            cursor={cursor}
            selectable={can('cases.write')}
            toggleAll={() => setSelected(selected.size === rows.length ? new Set() : new Set(rows.map((r) => r.id)))}
          />
        </Paper>
      )}
      <LoadMore query={list} variant="default" size="sm" />
    </Stack>
  )
}

/**
 * Live news for the list: taken in at once when the reader is at the top with nothing selected (a new
 * case appears), otherwise held behind a "N new" button, so rows never move under the reader's cursor.
 */
function useLiveNews(refetch: () => Promise<unknown>, selected: number) {
  const [pending, setPending] = useState(0)
  const calm = useRef({ selected })
  calm.current = { selected }
  useEffect(() => {
    const onNews = () => {
      if (window.scrollY < 40 && calm.current.selected === 0) void refetch()
      else setPending((n) => n + 1)
    }
    window.addEventListener(casesChanged, onNews)
    return () => window.removeEventListener(casesChanged, onNews)
  }, [refetch])
  const show = () => {
    setPending(0)
    window.scrollTo({ top: 0 })
    void refetch()
  }
  return { pending, show }
}

/** Saved views (built-in, shared, own), listed in the navigation and applied here. */
export function useCaseViews() {
  return useQuery({
    queryKey: ['case-views'],
    queryFn: () => ok(api.GET('/api/v1/case-views')),
    select: (r) => r.data,
    staleTime: 60_000,
  })
}

export function InboxViews({ onPick }: { onPick?: () => void }) {
  const views = useCaseViews()
  const [params] = useSearchParams()
  const onInbox = useLocation().pathname === '/inbox'
  const active = !onInbox ? null : (params.get('view') ?? (params.toString() ? null : 'all_open'))
  const session = useSession()
  // The person's own teams, each a view of its open cases.
  const teams = useQuery({
    queryKey: ['teams'],
    queryFn: () => ok(api.GET('/api/v1/teams', { params: { query: { limit: 100 } } })),
    staleTime: 5 * 60_000,
    select: (r) => r.data.filter((t) => session.user_id && t.member_ids.includes(session.user_id)),
  })
  if (views.isPending) return <Skeleton h={120} />
  return (
    <Stack gap={0} component="nav" aria-label="Views">
      {views.data?.map((v) => (
        <NavLink
          key={v.id}
          component={Link}
          to={`/inbox?view=${encodeURIComponent(v.id)}`}
          label={v.name}
          active={v.id === active}
          onClick={onPick}
          pl="lg"
        />
      ))}
      {(Object.keys(slaViews) as SlaView[]).map((v) => (
        <NavLink
          key={v}
          component={Link}
          to={`/inbox?sla=${v}`}
          label={slaViews[v]}
          onClick={onPick}
          pl="lg"
          active={onInbox && !params.get('view') && params.get('sla') === v}
        />
      ))}
      {teams.data?.map((t) => (
        <NavLink
          key={t.id}
          component={Link}
          to={`/inbox?team_id=${t.id}&status=unresolved`}
          label={`Team: ${t.name}`}
          onClick={onPick}
          pl="lg"
          active={onInbox && !params.get('view') && params.get('team_id') === t.id}
        />
      ))}
    </Stack>
  )
}

function Filters({
  query,
  set,
}: {
  query: CaseQuery
  set: (k: (typeof filterKeys)[number], v: string | null) => void
}) {
  const types = useCaseTypes()
  const openSearch = useOpenSearch()
  const [q, setQ] = useState(query.q ?? '')
  useEffect(() => setQ(query.q ?? ''), [query.q])
  // A clearable filter on one query parameter, named by its label.
  const filter = (key: 'status' | 'case_type' | 'priority' | 'assignee_id', label: string, w: number) => ({
    size: 'xs',
    w,
    'aria-label': label,
    clearable: true,
    value: query[key] ?? null,
    onChange: (v: string | null) => set(key, v),
  })
  return (
    <Group gap="xs" wrap="wrap">
      <EnterInput
        placeholder="Search"
        label="Search in this view"
        w={180}
        value={q}
        onChange={setQ}
        onEnter={() => void openSearch(q.trim(), (text) => set('q', text || null))}
      />
      <Select
        {...filter('status', 'Status', 160)}
        placeholder="Status"
        data={[
          { value: 'unresolved', label: 'Unresolved' },
          ...caseStatuses.map((s) => ({ value: s, label: humanize(s) })),
        ]}
      />
      <Select
        {...filter('case_type', 'Case type', 160)}
        placeholder="Type"
        searchable
        data={types.data?.map((t) => ({ value: t.key, label: t.label })) ?? []}
      />
      <Select {...filter('priority', 'Priority', 120)} placeholder="Priority" data={priorityOptions} />
      <Select
        {...filter('assignee_id', 'Assignee', 140)}
        placeholder="Assignee"
        data={[
          { value: 'me', label: 'Me' },
          { value: 'none', label: 'Unassigned' },
        ]}
      />
      <Select
        size="xs"
        w={150}
        aria-label="Sort"
        value={query.sort ?? 'created_desc'}
        onChange={(v) => set('sort', v)}
        allowDeselect={false}
        data={[
          { value: 'created_desc', label: 'Newest' },
          { value: 'created_asc', label: 'Oldest' },
          { value: 'updated_desc', label: 'Recently updated' },
          { value: 'priority_desc', label: 'Priority' },
          { value: 'sla_due', label: 'SLA due first' },
          ...(query.q ? [{ value: 'relevance', label: 'Relevance' }] : []),
        ]}
      />
    </Group>
  )
}

function BulkBar({ count, run, busy }: { count: number; run: (a: BulkAction) => void; busy: boolean }) {
  const session = useSession()
  const can = useCan()
  const [tag, setTag] = useState('')
  return (
    <Paper withBorder p="xs" role="region" aria-label="Bulk actions">
      <Group gap="xs">
        <Text size="sm" fw={600}>
          {count} selected
        </Text>
        <Button size="xs" loading={busy} onClick={() => run({ type: 'assign', assignee_id: session.user_id })}>
          Assign to me
        </Button>
        {can('cases.assign') && <AssignPicker run={run} />}
        <Menu>
          <Menu.Target>
            <Button size="xs" variant="default">
              Status
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            {(['open', 'waiting_customer', 'waiting_carrier', 'on_hold'] as const).map((s) => (
              <Menu.Item key={s} onClick={() => run({ type: 'status', status: s })}>
                {humanize(s)}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
        <Menu>
          <Menu.Target>
            <Button size="xs" variant="default">
              Priority
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            {priorities.map((p) => (
              <Menu.Item key={p} onClick={() => run({ type: 'priority', priority: p })}>
                {priorityLabel(p)}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
        <EnterInput
          placeholder="Add tag"
          label="Add tag to selected"
          w={120}
          value={tag}
          onChange={setTag}
          onEnter={() => {
            if (tag.trim()) run({ type: 'tags', add: [tag.trim()] })
            setTag('')
          }}
        />
      </Group>
    </Paper>
  )
}

/** Assign the selection to someone who can work cases, or hand it to a team (unassigned within it). */
function AssignPicker({ run }: { run: (a: BulkAction) => void }) {
  const people = useAssignees()
  const teams = useTeams()
  return (
    <Select
      size="xs"
      w={200}
      placeholder="Assign to…"
      aria-label="Assign selected to"
      searchable
      value={null}
      data={[
        { group: 'People', items: people.data?.map((p) => ({ value: `user:${p.id}`, label: p.name })) ?? [] },
        { group: 'Teams', items: teams.data?.map((t) => ({ value: `team:${t.id}`, label: `Team: ${t.name}` })) ?? [] },
      ]}
      onChange={(v) => {
        const [kind, id] = (v ?? '').split(':')
        if (kind === 'user' && id) run({ type: 'assign', assignee_id: id })
        if (kind === 'team' && id) run({ type: 'assign', assignee_id: null, team_id: id })
      }}
    />
  )
}

function CaseTable({
  rows,
  loading,
  selected,
  toggle,
  toggleAll,
  cursor,
  selectable,
}: {
  rows: CaseSummary[]
  loading: boolean
  selected: Set<string>
  toggle: (id: string) => void
  toggleAll: () => void
  cursor: number
  selectable: boolean
}) {
  const name = usePersonName()
  if (loading)
    return (
      <Stack p="sm" gap="xs">
        {Array.from({ length: 8 }, (_, i) => (
          <Skeleton key={i} h={28} />
        ))}
      </Stack>
    )
  if (!rows.length)
    return (
      <Text p="lg" c="dimmed" ta="center">
        No cases here
      </Text>
    )
  return (
    <Table.ScrollContainer minWidth={600}>
      <Table highlightOnHover verticalSpacing={6} layout="fixed" aria-label="Cases">
        <Table.Thead>
          <Table.Tr>
            {selectable && (
              <Table.Th w={40}>
                <Checkbox
                  aria-label="Select all"
                  checked={selected.size > 0 && selected.size === rows.length}
                  indeterminate={selected.size > 0 && selected.size < rows.length}
                  onChange={toggleAll}
                />
              </Table.Th>
            )}
            <Table.Th w={96}>Case</Table.Th>
            <Table.Th>Subject</Table.Th>
            <Table.Th w={120} visibleFrom="lg">
              Type
            </Table.Th>
            <Table.Th w={148}>Status</Table.Th>
            <Table.Th w={96} visibleFrom="lg">
              Priority
            </Table.Th>
            <Table.Th w={130}>Assignee</Table.Th>
            <Table.Th w={150}>SLA</Table.Th>
            <Table.Th w={110}>Opened</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((c, i) => (
            <Table.Tr
              key={c.id}
              data-case-id={c.id}
              bg={i === cursor ? 'var(--mantine-color-default-hover)' : undefined}
            >
              {selectable && (
                <Table.Td>
                  <Checkbox
                    aria-label={`Select ${c.number}`}
                    checked={selected.has(c.id)}
                    onChange={() => toggle(c.id)}
                  />
                </Table.Td>
              )}
              <Table.Td>
                <Text size="sm" ff="monospace" truncate title={c.number}>
                  {c.number}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text
                  size="sm"
                  truncate
                  component={Link}
                  to={`/cases/${c.id}`}
                  fw={c.status === 'new' ? 700 : 500}
                  display="block"
                  title={c.subject || undefined}
                >
                  {c.subject || '(no subject)'}
                </Text>
                {(c.tracking_number || c.tags.length > 0) && (
                  <Group
                    gap={4}
                    wrap="nowrap"
                    style={{ overflow: 'hidden' }}
                    title={[c.carrier_name, c.tracking_number, ...c.tags].filter(Boolean).join(' ')}
                  >
                    {c.tracking_number && (
                      <Text size="xs" c="dimmed" truncate>
                        {c.carrier_name} {c.tracking_number}
                      </Text>
                    )}
                    {c.tags.slice(0, 3).map((t) => (
                      <Badge key={t} size="xs" variant="outline" style={{ flexShrink: 0 }}>
                        {t}
                      </Badge>
                    ))}
                  </Group>
                )}
              </Table.Td>
              <Table.Td visibleFrom="lg">
                <Text size="sm" truncate title={humanize(c.case_type)}>
                  {humanize(c.case_type)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Badge color={statusColor[c.status]} variant="light" maw="100%" title={humanize(c.status)}>
                  {humanize(c.status)}
                </Badge>
              </Table.Td>
              <Table.Td visibleFrom="lg">
                <Badge color={priorityColor(c.priority)} variant="dot" maw="100%" title={priorityLabel(c.priority)}>
                  {priorityLabel(c.priority)}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text
                  size="sm"
                  truncate
                  c={c.assignee_id ? undefined : 'dimmed'}
                  title={name(c.assignee_id) ?? 'Unassigned'}
                >
                  {name(c.assignee_id) ?? 'Unassigned'}
                </Text>
              </Table.Td>
              <Table.Td>{c.sla_state && <RowSla state={c.sla_state} dueAt={c.sla_next_due_at} />}</Table.Td>
              <Table.Td>
                <Text size="sm" c="dimmed" truncate title={`${timeAgo(c.created_at)}, ${c.created_at}`}>
                  {timeAgo(c.created_at)}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}
