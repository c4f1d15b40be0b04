import { useQuery, useQueryClient } from '@tanstack/react-query'
import { createContext, useContext, type ReactNode } from 'react'
import { api, ApiError, ok, setCsrfToken } from '../api/client'
import type { Session } from '../api/types'

const SessionContext = createContext<Session | null>(null)

/** Who is signed in; null when nobody is (a 401). */
export function useSessionQuery() {
  return useQuery({
    queryKey: ['session'],
    queryFn: async () => {
      try {
        const s = await ok(api.GET('/api/v1/auth/session'))
        setCsrfToken(s.csrf_token)
        return s
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          setCsrfToken(undefined)
          return null
        }
        throw err
      }
    },
    staleTime: 5 * 60_000,
  })
}

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>
}

export function useSession(): Session {
  const s = useContext(SessionContext)
  if (!s) throw new Error('useSession outside a signed-in page')
  return s
}

/** Whether the signed-in person's role grants this permission: actions they cannot take are not shown. */
export function useCan() {
  const s = useSession()
  return (permission: string) => s.permissions.includes(permission)
}

export function useSignOut() {
  const qc = useQueryClient()
  return async () => {
    await api.POST('/api/v1/auth/logout')
    setCsrfToken(undefined)
    qc.clear()
    qc.setQueryData(['session'], null)
  }
}
