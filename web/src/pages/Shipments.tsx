import { Badge, Group, Paper, SegmentedControl, Select, Skeleton, Stack, Table, Text, Title } from '@mantine/core'
import { useEffect, useState } from 'react'
import { Link, useSearchParams } from 'react-router'
import { api, ok } from '../api/client'
import type { TrackingStatus } from '../api/enums'
import { useCarriers } from '../app/directory'
import { EnterInput } from '../components/EnterInput'
import { ErrorState } from '../components/ErrorState'
import { humanize, timeAgo } from '../components/format'
import { LoadMore, usePaged } from '../components/paged'

// Each carrier status in the filter's order, with its badge colour: red where someone should act. Keyed by the API's
// enum, so the build fails when the server gains or drops a status.
const trackingColor: Record<TrackingStatus, string> = {
  info_received: 'blue',
  in_transit: 'blue',
  out_for_delivery: 'blue',
  available_for_pickup: 'blue',
  delivered: 'teal',
  attempt_failed: 'red',
  delayed: 'red',
  customs_hold: 'red',
  exception: 'red',
  damaged: 'red',
  lost: 'red',
  returned_to_sender: 'red',
  cancelled: 'blue',
  unknown: 'blue',
}
const trackingStatuses = Object.keys(trackingColor) as TrackingStatus[]

type Row = {
  id: string
  carrier: string | null
  tracking_number: string | null
  status: string | null
  last_event_at: string | null
  note: string | null
}

// The shop's delivery date only where the carrier does not say otherwise ("Lost · delivered 27 days ago" reads as a contradiction).
function shipmentDates(s: {
  delivered_at: string | null
  shipped_at: string | null
  tracking: { status: string | null }
}): string | null {
  if (s.delivered_at && (!s.tracking.status || s.tracking.status === 'delivered'))
    return `delivered ${timeAgo(s.delivered_at)}`
  return s.shipped_at ? `shipped ${timeAgo(s.shipped_at)}` : null
}

/** Shipments: find one by tracking number, or list those by carrier status, or those gone quiet or late. */
export function Shipments() {
  const [params, setParams] = useSearchParams()
  const view = params.get('view') ?? 'search'
  const set = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params)
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v)
      else next.delete(k)
    }
    setParams(next)
  }
  return (
    <Stack gap="sm">
      <Title order={1} size="h3">
        Shipments
      </Title>
      <SegmentedControl
        w="fit-content"
        value={view}
        onChange={(v) => setParams(new URLSearchParams(v === 'search' ? {} : { view: v }))}
        aria-label="Shipment list"
        data={[
          { value: 'search', label: 'Search' },
          { value: 'stale', label: 'Stale (no scans)' },
          { value: 'late', label: 'Late' },
        ]}
      />
      {view === 'search' ? <Search params={params} set={set} /> : <Overdue kind={view === 'late' ? 'late' : 'stale'} />}
    </Stack>
  )
}

function Search({ params, set }: { params: URLSearchParams; set: (p: Record<string, string | null>) => void }) {
  const tracking = params.get('tracking_number') ?? ''
  const [typed, setTyped] = useState(tracking)
  useEffect(() => setTyped(tracking), [tracking])
  const carriers = useCarriers()
  const query = {
    ...(tracking ? { tracking_number: tracking } : {}),
    ...(params.get('carrier') ? { carrier_code: params.get('carrier')! } : {}),
    ...(params.get('status') ? { tracking_status: params.get('status')! } : {}),
  }
  const { query: list, rows: found } = usePaged(['shipments', query], (cursor) =>
    ok(api.GET('/api/v1/shipments', { params: { query: { ...query, limit: 50, ...(cursor ? { cursor } : {}) } } })),
  )
  const rows: Row[] = found.map((s) => ({
    id: s.id,
    carrier: s.carrier.name ?? s.carrier.code,
    tracking_number: s.tracking_number,
    status: s.tracking.status,
    last_event_at: s.tracking.last_event_at,
    note: shipmentDates(s),
  }))
  return (
    <>
      <Group gap="xs">
        <EnterInput
          placeholder="Tracking number"
          label="Tracking number"
          w={240}
          value={typed}
          onChange={setTyped}
          onEnter={() => set({ tracking_number: typed.trim() || null })}
        />
        <Select
          size="xs"
          w={180}
          placeholder="Carrier"
          aria-label="Carrier"
          clearable
          searchable
          value={params.get('carrier')}
          onChange={(v) => set({ carrier: v })}
          data={carriers.data?.map((c) => ({ value: c.code, label: c.name })) ?? []}
        />
        <Select
          size="xs"
          w={180}
          placeholder="Carrier status"
          aria-label="Carrier status"
          clearable
          value={params.get('status')}
          onChange={(v) => set({ status: v })}
          data={trackingStatuses.map((s) => ({ value: s, label: humanize(s) }))}
        />
      </Group>
      {list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : (
        <ShipmentTable rows={rows} loading={list.isPending} noteHeader="Shipped or delivered" />
      )}
      <LoadMore query={list} variant="default" size="sm" />
    </>
  )
}

function Overdue({ kind }: { kind: 'stale' | 'late' }) {
  const path = kind === 'stale' ? '/api/v1/carriers/stale-shipments' : '/api/v1/carriers/late-shipments'
  const { query: list, rows: overdue } = usePaged(['shipments', kind], (cursor) =>
    ok(api.GET(path, { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } })),
  )
  const rows: Row[] = overdue.map((s) => ({
    id: s.id,
    carrier: s.carrier_name ?? s.carrier_code,
    tracking_number: s.tracking_number,
    status: s.tracking_status,
    last_event_at: s.last_tracking_event_at,
    note: s.due_at ? timeAgo(s.due_at) : null,
  }))
  return (
    <>
      <Text size="sm" c="dimmed">
        {kind === 'stale'
          ? "Open shipments with no carrier event for longer than their carrier's quiet limit."
          : 'Shipments past their promised or estimated delivery, not delivered.'}
      </Text>
      {list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : (
        <ShipmentTable rows={rows} loading={list.isPending} noteHeader={kind === 'late' ? 'Due' : 'Quiet since'} />
      )}
      <LoadMore query={list} variant="default" size="sm" />
    </>
  )
}

function ShipmentTable({ rows, loading, noteHeader }: { rows: Row[]; loading: boolean; noteHeader: string }) {
  if (loading) return <Skeleton h={200} />
  if (!rows.length)
    return (
      <Text c="dimmed" p="md">
        No shipments here
      </Text>
    )
  return (
    <Paper withBorder>
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing={6} aria-label="Shipments">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Carrier</Table.Th>
              <Table.Th>Tracking number</Table.Th>
              <Table.Th>Carrier status</Table.Th>
              <Table.Th>Last scan</Table.Th>
              <Table.Th>{noteHeader}</Table.Th>
              <Table.Th>Cases</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>{s.carrier ?? '—'}</Table.Td>
                <Table.Td ff="monospace">{s.tracking_number ?? '—'}</Table.Td>
                <Table.Td>
                  {s.status ? (
                    <Badge variant="light" color={trackingColor[s.status as TrackingStatus] ?? 'blue'}>
                      {humanize(s.status)}
                    </Badge>
                  ) : (
                    <Text size="sm" c="dimmed">
                      No scans
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed">
                    {s.last_event_at ? timeAgo(s.last_event_at) : '—'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed">
                    {s.note}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" component={Link} to={`/inbox?shipment_id=${s.id}`} c="indigo">
                    View cases
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  )
}
