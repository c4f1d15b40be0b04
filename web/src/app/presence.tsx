import { Alert, Group, Text } from '@mantine/core'
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
    const beat = () => void api.PUT('/api/v1/cases/{id}/presence', { params: { path: { id: caseId } }, body: { state: replying ? 'replying' : 'viewing' } })
    beat()
    const timer = setInterval(beat, beatMs)
    return () => clearInterval(timer)
  }, [caseId, replying, person])
  useEffect(() => {
    if (!person) return
    // Leaving the case page, or the tab (pagehide: unmount effects do not run when a tab closes).
    const bye = () => void api.DELETE('/api/v1/cases/{id}/presence', { params: { path: { id: caseId } }, keepalive: true })
    window.addEventListener('pagehide', bye)
    return () => {
      window.removeEventListener('pagehide', bye)
      bye()
    }
  }, [caseId, person])
}

/** The collision warning: who else has this case open right now, and who is writing on it. */
export function PresenceBanner({ caseId }: { caseId: string }) {
  const session = useSession()
  const name = usePersonName()
  const presence = useQuery({
    queryKey: ['case', caseId, 'presence'],
    queryFn: () => ok(api.GET('/api/v1/cases/{id}/presence', { params: { path: { id: caseId } } })),
    refetchInterval: beatMs,
    select: (r) => r.data.filter((p) => p.user_id !== session.user_id),
  })
  const others = presence.data ?? []
  // Always rendered (empty when alone), so the page does not jump when someone arrives.
  const replying = others.filter((p) => p.state === 'replying')
  const viewing = others.filter((p) => p.state === 'viewing')
  return (
    <div aria-live="polite" style={{ minHeight: others.length ? undefined : 0 }}>
      {others.length > 0 && (
        <Alert color={replying.length ? 'orange' : 'gray'} variant="light" p="xs" role="status" aria-label="Others on this case">
          <Group gap="md">
            {replying.length > 0 && <Text size="sm" fw={600}>{replying.map((p) => name(p.user_id)).join(', ')} {replying.length > 1 ? 'are' : 'is'} writing on this case</Text>}
            {viewing.length > 0 && <Text size="sm">{viewing.map((p) => name(p.user_id)).join(', ')} {viewing.length > 1 ? 'are' : 'is'} viewing it too</Text>}
          </Group>
        </Alert>
      )}
    </div>
  )
}
