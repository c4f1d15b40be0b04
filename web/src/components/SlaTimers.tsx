import { Badge, Group, Skeleton, Text, Tooltip } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { useSyncExternalStore } from 'react'
import { api, ok } from '../api/client'
import { dateTime } from './format'
import { type Clock, clockText, rowText, type SlaState, slaColor, span, targetLabel } from './sla'

// One ticker for the whole page: every countdown reads the same second, and the interval runs only while something
// shows a countdown (a list of 50 rows is one timer, not 50).
const listeners = new Set<() => void>()
let second = Date.now()
let timer: ReturnType<typeof setInterval> | undefined

function subscribe(listener: () => void) {
  listeners.add(listener)
  if (!timer) {
    second = Date.now()
    timer = setInterval(() => {
      second = Date.now()
      for (const l of listeners) l()
    }, 1000)
  }
  return () => {
    listeners.delete(listener)
    if (!listeners.size && timer) {
      clearInterval(timer)
      timer = undefined
    }
  }
}

/** The time now, to the shared ticker's second. */
export const useNow = () =>
  useSyncExternalStore(
    subscribe,
    () => second,
    () => second,
  )

/** The case's SLA clocks, as the header shows them: each target's running episode (or its last one). */
export function useCaseSla(caseId: string) {
  return useQuery({
    queryKey: ['case', caseId, 'sla'],
    queryFn: () => ok(api.GET('/api/v1/cases/{id}/sla', { params: { path: { id: caseId } } })),
  })
}

/** The latest episode of each target, in the policy's order. */
export function currentClocks<C extends Clock & { episode: number }>(targets: C[]): C[] {
  const latest = new Map<string, C>()
  for (const c of targets) if ((latest.get(c.target)?.episode ?? 0) < c.episode) latest.set(c.target, c)
  return [...latest.values()]
}

/** The case header's timers: tier, then one badge per target with its live countdown. */
export function CaseSlaTimers({ caseId }: { caseId: string }) {
  const sla = useCaseSla(caseId)
  if (sla.isPending) return <Skeleton h={22} w={240} />
  if (!sla.data?.targets.length) return null
  return (
    <Group gap="xs" role="group" aria-label="SLA">
      {sla.data.tier && (
        <Badge variant="outline" color="grape" title={`Policy version ${sla.data.policy_version}`}>
          SLA {sla.data.tier}
        </Badge>
      )}
      {currentClocks(sla.data.targets).map((c) => (
        <ClockBadge key={c.target} clock={c} />
      ))}
    </Group>
  )
}

function ClockBadge({ clock: c }: { clock: Clock }) {
  const now = useNow()
  const label = targetLabel(c.target)
  const text = clockText(c, now)
  const detail = [
    `Due ${dateTime(c.due_at)}`,
    c.business_time ? 'in business hours' : 'in calendar time',
    c.paused_seconds > 0 ? `paused ${span(c.paused_seconds)} so far` : '',
    c.met_at ? `met ${dateTime(c.met_at)}` : '',
  ]
    .filter(Boolean)
    .join(' · ')
  return (
    <Tooltip label={detail}>
      <Badge
        color={slaColor[c.state]}
        variant="filled"
        tt="none"
        data-sla-target={c.target}
        data-sla-state={c.state}
        aria-label={`${label}: ${text}${c.business_time ? ' (business hours)' : ''}`}
      >
        {label}: <span data-countdown>{text}</span>
        {c.business_time && (
          <Text span size="xs" ml={4} title="Counted in business hours" aria-hidden>
            ⏲ business
          </Text>
        )}
      </Badge>
    </Tooltip>
  )
}

/** An inbox row's SLA: the soonest running target's countdown, or its state. */
export function RowSla({ state, dueAt }: { state: SlaState | null; dueAt: string | null }) {
  const now = useNow()
  const text = rowText(state, dueAt, now)
  if (!text || !state) return null
  const overdue = dueAt !== null && Date.parse(dueAt) < now && state !== 'met' && state !== 'paused'
  return (
    <Text
      size="sm"
      ff={state === 'active' && !overdue ? 'monospace' : undefined}
      c={overdue || state === 'breached' ? 'red' : state === 'active' ? undefined : 'dimmed'}
      truncate
      title={dueAt ? `Due ${dateTime(dueAt)}` : undefined}
      data-sla-state={state}
    >
      {text}
    </Text>
  )
}
