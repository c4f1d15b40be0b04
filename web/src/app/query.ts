import { notifications } from '@mantine/notifications'
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query'
import { ApiError } from '../api/client'

// A 401 anywhere means the session ended: drop it, and the shell shows the sign-in page.
const signedOut = (err: unknown) => {
  if (err instanceof ApiError && err.status === 401) void queryClient.invalidateQueries({ queryKey: ['session'] })
}

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      retry: (n, err) => !(err instanceof ApiError && err.status < 500) && n < 2,
      refetchOnWindowFocus: true,
    },
  },
  queryCache: new QueryCache({ onError: signedOut }),
  mutationCache: new MutationCache({
    onError: (err, _vars, _ctx, mutation) => {
      signedOut(err)
      // Forms show their own field errors; everything else becomes a notification.
      const meta = mutation.options.meta
      if (meta?.inline || (meta?.fieldErrors && err instanceof ApiError && err.body.details?.errors?.length)) return
      notifications.show({
        color: 'red',
        title: err instanceof ApiError ? errorTitle(err) : 'Something went wrong',
        message: err.message,
      })
    },
  }),
})

declare module '@tanstack/react-query' {
  interface Register {
    /** fieldErrors: the form shows validation errors beside its fields; inline: it shows every error itself */
    mutationMeta: { fieldErrors?: boolean; inline?: boolean }
  }
}

export function errorTitle(err: ApiError): string {
  if (err.status === 403) return 'Not allowed'
  if (err.status === 404) return 'Not found'
  if (err.status === 409) return 'Conflict'
  if (err.status === 422 || err.status === 400) return 'Check the input'
  if (err.status === 429) return 'Too many requests'
  return 'The server refused'
}
