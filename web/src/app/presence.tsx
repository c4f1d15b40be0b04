import { Badge, Group } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { useEffect } from 'react'
import { api, ok } from '../api/client'
import { usePersonName } from './directory'
import { useSession } from './session'

const beatMs = 15_000

/** Tells the server this person has the case open (and whether they are writing), every 15 s, and goodbye on leaving. */
export function usePresenceBeat(caseId: string, replying: boolean) {
  const session = useSession()
  const person = session.actor_type === 'user'
  useEffect(() => {
    if (!person) return
    const beat = () =>
      void api.PUT('/api/v1/cases/{id}/presence', {
        params: { path: { id: caseId } },
        body: { state: replying ? 'replying' : 'viewing' },
      })
    beat()
    const timer = setInterval(beat, beatMs)
    return () => clearInterval(timer)
  }, [caseId, replying, person])
  useEffect(() => {
    if (!person) return
    // Leaving the case page, or the tab (pagehide: unmount effects do not run when a tab closes).
    const bye = () =>
      void api.DELETE('/api/v1/cases/{id}/presence', { params: { path: { id: caseId } }, keepalive: true })
    window.addEventListener('pagehide', bye)
    return () => {
      window.removeEventListener('pagehide', bye)
      bye()
    }
  }, [caseId, person])
}

/** The collision warning: who else has this case open right now, and who is writing on it (inline, so nothing moves when someone arrives). */
export function PresenceBadges({ caseId }: { caseId: string }) {
  const session = useSession()
  const name = usePersonName()
  const presence = useQuery({
    queryKey: ['case', caseId, 'presence'],
    queryFn: () => ok(api.GET('/api/v1/cases/{id}/presence', { params: { path: { id: caseId } } })),
    refetchInterval: beatMs,
    select: (r) => r.data.filter((p) => p.user_id !== session.user_id),
  })
  const others = presence.data ?? []
  return (
    <Group gap={6} role="status" aria-live="polite" aria-label="Others on this case">
      {others.map((p) => (
        // Filled, not light: a light badge sets its orange text on a tint of the same orange, under AA in the dark theme.
        <Badge
          key={p.user_id}
          color={p.state === 'replying' ? 'orange.3' : 'gray'}
          c={p.state === 'replying' ? 'dark.9' : undefined}
          variant={p.state === 'replying' ? 'filled' : 'light'}
        >
          {name(p.user_id)} {p.state === 'replying' ? 'is writing on this case' : 'is viewing it too'}
        </Badge>
      ))}
    </Group>
  )
}
