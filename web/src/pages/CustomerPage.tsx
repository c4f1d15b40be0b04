import { Badge, Card, Grid, Group, Skeleton, Stack, Table, Text, Timeline, Title } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { Link, useParams } from 'react-router'
import { api, ok } from '../api/client'
import { ErrorState } from '../components/ErrorState'
import { dateTime, humanize, orderState, statusColor, timeAgo } from '../components/format'
import { useMoney } from '../components/money'

/** A customer: who they are, what they bought and when, and every case they have had. */
export function CustomerPage() {
  const { id = '' } = useParams()
  const money = useMoney()
  const customer = useQuery({
    queryKey: ['customer', id],
    queryFn: () => ok(api.GET('/api/v1/customers/{id}', { params: { path: { id } } })),
  })
  const orders = useQuery({
    queryKey: ['customer', id, 'orders'],
    queryFn: () => ok(api.GET('/api/v1/orders', { params: { query: { customer_id: id, limit: 50 } } })),
  })
  const cases = useQuery({
    queryKey: ['cases', { customer_id: id }],
    queryFn: () =>
      ok(api.GET('/api/v1/cases', { params: { query: { customer_id: id, limit: 50, sort: 'created_desc' } } })),
  })
  if (customer.isError) return <ErrorState error={customer.error} retry={() => void customer.refetch()} />
  if (customer.isPending) return <Skeleton h={300} />
  const c = customer.data
  // Newest first: what they bought, as a purchase timeline.
  const bought = [...(orders.data?.data ?? [])].sort((a, b) => Date.parse(b.placed_at) - Date.parse(a.placed_at))
  // A customer record is made when the shop (or an import) first sends it; their first order says when they became one.
  const since = [c.created_at, ...bought.map((o) => o.placed_at)].reduce((a, b) =>
    Date.parse(b) < Date.parse(a) ? b : a,
  )
  const spent = new Map<string, number>()
  for (const o of bought) spent.set(o.currency, (spent.get(o.currency) ?? 0) + o.total_amount_minor)
  return (
    <Stack gap="md">
      <Card withBorder>
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={1} size="h3">
              {c.name ?? c.email ?? 'Customer'}
            </Title>
            <Text size="sm" c="dimmed">
              {[c.email, c.phone].filter(Boolean).join(' · ')}
            </Text>
          </div>
          <Group gap="xs">
            <Badge variant="light">{humanize(c.segment)}</Badge>
            {c.redacted_at && <Badge color="gray">Erased</Badge>}
          </Group>
        </Group>
        <Group gap="xl" mt="sm">
          <Text size="sm">
            Customer since <b>{new Date(since).toLocaleDateString(undefined, { dateStyle: 'medium' })}</b>
          </Text>
          <Text size="sm">
            Orders{' '}
            <b>
              {bought.length}
              {orders.data?.next_cursor ? '+' : ''}
            </b>
          </Text>
          <Text size="sm">
            Spent <b>{[...spent].map(([cur, minor]) => money(minor, cur)).join(' + ') || '—'}</b>
          </Text>
          <Text size="sm">
            Cases{' '}
            <b>
              {cases.data?.data.length ?? '…'}
              {cases.data?.next_cursor ? '+' : ''}
            </b>
          </Text>
        </Group>
      </Card>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              Cases
            </Title>
            {cases.isPending && <Skeleton h={120} />}
            {cases.data?.data.length === 0 && (
              <Text c="dimmed" size="sm">
                No cases
              </Text>
            )}
            <Table fz="sm" aria-label="Customer's cases">
              <Table.Tbody>
                {cases.data?.data.map((k) => (
                  <Table.Tr key={k.id}>
                    <Table.Td ff="monospace">{k.number}</Table.Td>
                    <Table.Td>
                      <Text size="sm" component={Link} to={`/cases/${k.id}`} c="indigo">
                        {k.subject || humanize(k.case_type)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge size="sm" variant="light" color={statusColor[k.status]}>
                        {humanize(k.status)}
                      </Badge>
                    </Table.Td>
                    <Table.Td c="dimmed">{timeAgo(k.created_at)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              Purchases
            </Title>
            {orders.isPending && <Skeleton h={120} />}
            {orders.isSuccess && bought.length === 0 && (
              <Text c="dimmed" size="sm">
                No orders
              </Text>
            )}
            <Timeline bulletSize={10} lineWidth={2} aria-label="Purchase timeline">
              {bought.map((o, i) => (
                <Timeline.Item
                  key={o.id}
                  title={
                    <Group gap={6}>
                      <Text size="sm" fw={600}>
                        Order {o.order_number ?? o.external_id}
                      </Text>
                      <Text size="sm">{money(o.total_amount_minor, o.currency)}</Text>
                    </Group>
                  }
                >
                  <Text size="xs" c="dimmed">
                    {dateTime(o.placed_at)} · {orderState(o)}
                    {o.shipping_country ? ` · to ${o.shipping_country}` : ''}
                  </Text>
                  {o.lines.slice(0, 5).map((l) => (
                    <Text size="sm" key={l.id}>
                      {l.quantity} × {l.name}
                    </Text>
                  ))}
                  {i < 10 && <OrderShipments orderId={o.id} />}
                </Timeline.Item>
              ))}
            </Timeline>
          </Card>
        </Grid.Col>
      </Grid>
    </Stack>
  )
}

/** The parcels of one order, with what the carrier last said. */
function OrderShipments({ orderId }: { orderId: string }) {
  const shipments = useQuery({
    queryKey: ['shipments', { order_id: orderId }],
    queryFn: () => ok(api.GET('/api/v1/shipments', { params: { query: { order_id: orderId, limit: 10 } } })),
  })
  return (
    <>
      {shipments.data?.data.map((s) => (
        <Group gap={6} key={s.id} mt={2}>
          <Text size="xs">
            {s.carrier.name ?? s.carrier.code ?? 'Parcel'}{' '}
            <Text span ff="monospace" size="xs">
              {s.tracking_number}
            </Text>
          </Text>
          {s.tracking.status && (
            <Badge size="xs" variant="light">
              {humanize(s.tracking.status)}
            </Badge>
          )}
          <Text size="xs" component={Link} to={`/inbox?shipment_id=${s.id}`} c="indigo">
            cases
          </Text>
        </Group>
      ))}
    </>
  )
}
