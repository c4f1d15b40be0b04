import { Button, type ButtonProps } from '@mantine/core'
import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query'
import { useMemo, type ReactNode } from 'react'

/** A cursor-paged list with every loaded page flattened; `LoadMore` fetches the next page. */
export function usePaged<P extends { data: unknown[]; next_cursor: string | null }>(
  queryKey: QueryKey,
  page: (cursor: string | undefined) => Promise<P>,
  options: { enabled?: boolean } = {},
) {
  const q = useInfiniteQuery({
    queryKey,
    enabled: options.enabled,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => page(pageParam),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  })
  const rows = useMemo(() => (q.data?.pages.flatMap((p) => p.data) ?? []) as P['data'][number][], [q.data])
  return { query: q, rows }
}

export function LoadMore({
  query,
  children = 'Load more',
  variant = 'subtle',
  size = 'xs',
  ...button
}: {
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown }
  children?: ReactNode
} & Omit<ButtonProps, 'children' | 'loading'>) {
  if (!query.hasNextPage) return null
  return (
    <Button
      variant={variant}
      size={size}
      {...button}
      onClick={() => void query.fetchNextPage()}
      loading={query.isFetchingNextPage}
    >
      {children}
    </Button>
  )
}
