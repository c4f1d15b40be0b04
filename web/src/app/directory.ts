import { type QueryKey, useQuery } from '@tanstack/react-query'
import { api, ok } from '../api/client'
import { useCan } from './session'

/** People and case types of the workspace, for names and pickers (a few hundred at most). */
export function usePeople() {
  return useQuery({
    queryKey: ['users'],
    queryFn: () => ok(api.GET('/api/v1/users', { params: { query: { limit: 200, status: 'active' } } })),
    staleTime: 5 * 60_000,
    select: (page) => page.data,
  })
}

/** Who can be given a case: active people whose role may work cases. */
export function useAssignees() {
  return useQuery({
    queryKey: ['users', 'assignees'],
    queryFn: () =>
      ok(api.GET('/api/v1/users', { params: { query: { limit: 200, status: 'active', permission: 'cases.write' } } })),
    staleTime: 5 * 60_000,
    select: (page) => page.data,
  })
}

export function usePersonName() {
  const people = usePeople()
  return (id: string | null | undefined) => (id ? (people.data?.find((p) => p.id === id)?.name ?? 'Someone') : null)
}

export function useCaseTypes() {
  return useQuery({
    queryKey: ['case-types'],
    queryFn: () => ok(api.GET('/api/v1/case-types')),
    staleTime: 5 * 60_000,
    select: (r) => r.data,
  })
}

/** The workspace's teams (a few dozen at most), for pickers. */
export function useTeams() {
  return useQuery({
    queryKey: ['teams'],
    queryFn: () => ok(api.GET('/api/v1/teams', { params: { query: { limit: 100 } } })),
    staleTime: 5 * 60_000,
    select: (r) => r.data,
  })
}

export function useCarriers() {
  return useQuery({
    queryKey: ['carriers'],
    queryFn: () => ok(api.GET('/api/v1/carriers')),
    staleTime: Infinity,
    select: (r) => r.data,
  })
}

/** Known carriers' display names by code ("royal_mail" → "Royal Mail"). */
export function useCarrierName() {
  const carriers = useCarriers()
  return (code: string) => carriers.data?.find((c) => c.code === code)?.name ?? code
}

/** A short list read whole (roles, currencies), asked for only when the role may read it. */
export function usePermittedList<T>(
  queryKey: QueryKey,
  permission: string,
  load: () => Promise<{ data: T[] }>,
  staleTime: number,
) {
  const can = useCan()
  return useQuery({ queryKey, queryFn: load, select: (r) => r.data, enabled: can(permission), staleTime })
}
