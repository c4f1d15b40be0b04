import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'

// Case events the server streams (GET /api/v1/stream); each refreshes what it touches.
const caseEvents = [
  'case.opened',
  'case.updated',
  'case.assigned',
  'case.carrier_updated',
  'case.closed',
  'case.escalated',
  'case.followed_up',
  'case.incident_attached',
  'case.incident_detached',
  'case.incident_grown',
  'case.linked',
  'case.unlinked',
  'case.merged',
  'case.merged_in',
  'case.noted',
  'case.note_added',
  'case.reopened',
  'case.resolved',
  'case.split',
]

export type LiveState = 'connecting' | 'live' | 'offline'

/** A window event for each case event the stream brings (detail: its type and case id). */
export const casesChanged = 'claimdesk:cases-changed'

/**
 * One EventSource per tab: new and changed cases refresh the lists and that case, timeline entries
 * refresh its timeline, notifications the bell. The browser reconnects by itself; a `reset` (the
 * server lost its listener) refetches everything, since events in between were not delivered.
 */
export function useLiveUpdates(): LiveState {
  const qc = useQueryClient()
  const [state, setState] = useState<LiveState>('connecting')
  useEffect(() => {
    const source = new EventSource('/api/v1/stream')
    const onCase = (e: MessageEvent<string>) => {
      const data = JSON.parse(e.data) as { case_id?: string }
      // The inbox list decides itself when to take the news in (see Inbox), so rows never move under the reader.
      void qc.invalidateQueries({ queryKey: ['cases'], predicate: (q) => q.queryKey[1] !== 'inbox' })
      void qc.invalidateQueries({ queryKey: ['cases', 'inbox'], refetchType: 'none' })
      window.dispatchEvent(new CustomEvent(casesChanged, { detail: { type: e.type, case_id: data.case_id } }))
      if (data.case_id) void qc.invalidateQueries({ queryKey: ['case', data.case_id] })
    }
    const onTimeline = (e: MessageEvent<string>) => {
      const data = JSON.parse(e.data) as { case_id: string }
      void qc.invalidateQueries({ queryKey: ['case', data.case_id] })
    }
    const onPresence = (e: MessageEvent<string>) => {
      const data = JSON.parse(e.data) as { case_id: string }
      void qc.invalidateQueries({ queryKey: ['case', data.case_id, 'presence'] })
    }
    const onNotification = () => void qc.invalidateQueries({ queryKey: ['notifications'] })
    const onReset = () => void qc.invalidateQueries()
    for (const type of caseEvents) source.addEventListener(type, onCase)
    source.addEventListener('case.timeline', onTimeline)
    source.addEventListener('case.presence', onPresence)
    source.addEventListener('notification', onNotification)
    source.addEventListener('reset', onReset)
    source.addEventListener('ready', () => setState('live'))
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting')
    return () => source.close()
  }, [qc])
  return state
}
