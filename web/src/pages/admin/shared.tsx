import { Alert, Button, Group, List, Popover, Stack, Text, Title } from '@mantine/core'
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query'
import { useState, type ReactNode } from 'react'
import { api, ApiError, ok, type Reply } from '../../api/client'
import type { CaseType } from '../../api/types'
import { useCan } from '../../app/session'
import type { SettingsBody } from './policy'

export type Role = Reply<'/api/v1/roles', 'get'>['data'][number]
export type Priority = CaseType['default_priority']

export const priorities = ['urgent', 'high', 'normal', 'low'] as const satisfies readonly Priority[]

/** Validation errors by dotted field path (`body/rules/0/on` → `rules.0.on`), or none. */
export const fieldErrorsOf = (err: unknown): Record<string, string> =>
  err instanceof ApiError ? err.fieldErrors() : {}

/** The first error at a field or anywhere below it, for inputs that hold a list (tags, options). */
export function errorAt(fields: Record<string, string>, path: string): string | undefined {
  const key = Object.keys(fields).find((k) => k === path || k.startsWith(`${path}.`))
  return key === undefined ? undefined : fields[key]
}

/**
 * Errors the form has no field for: one PUT /case-settings checks the whole stored settings, so saving
 * routing can fail on a policy rule (a case type archived since), and the other way round.
 */
export function OtherErrors({ fields, shown }: { fields: Record<string, string>; shown: string[] }) {
  const rest = Object.entries(fields).filter(([k]) => !shown.some((p) => k === p || k.startsWith(`${p}.`)))
  if (!rest.length) return null
  return (
    <Alert color="red" title="The saved settings have other problems" p="xs">
      <List size="sm">
        {rest.map(([k, v]) => (
          <List.Item key={k}>
            <code>{k}</code>: {v}
          </List.Item>
        ))}
      </List>
    </Alert>
  )
}

/** Saves part of the case settings and caches the answer, so the policy and routing editors both see what is stored. */
export function useSaveCaseSettings() {
  const qc = useQueryClient()
  return useMutation({
    meta: { fieldErrors: true },
    mutationFn: (body: SettingsBody) => ok(api.PUT('/api/v1/case-settings', { body })),
    onSuccess: (saved) => qc.setQueryData(['case-settings'], saved),
  })
}

export function useRoles() {
  const can = useCan()
  return useQuery({
    queryKey: ['roles'],
    queryFn: () => ok(api.GET('/api/v1/roles')),
    select: (r) => r.data,
    enabled: can('roles.read'),
    staleTime: 60_000,
  })
}

/** ISO 4217 currencies with their minor-unit exponents, the one source for reading amounts typed in major units. */
export function useCurrencies() {
  const can = useCan()
  return useQuery({
    queryKey: ['currencies'],
    queryFn: () => ok(api.GET('/api/v1/currencies')),
    select: (r) => r.data,
    enabled: can('merchant.read'),
    staleTime: Infinity,
  })
}

/** A cursor-paged list with every loaded page flattened; `LoadMore` fetches the next page. */
export function usePaged<T>(
  queryKey: QueryKey,
  page: (cursor: string | undefined) => Promise<{ data: T[]; next_cursor: string | null }>,
) {
  const q = useInfiniteQuery({
    queryKey,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => page(pageParam),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  })
  return { query: q, rows: q.data?.pages.flatMap((p) => p.data) ?? [] }
}

export function LoadMore({
  query,
}: {
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown }
}) {
  if (!query.hasNextPage) return null
  return (
    <Button variant="subtle" size="xs" onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
      Load more
    </Button>
  )
}

export function SectionHeader({
  title,
  description,
  action,
}: {
  title: string
  description?: string
  action?: ReactNode
}) {
  return (
    <Group justify="space-between" align="flex-end">
      <div>
        <Title order={2} size="h4">
          {title}
        </Title>
        {description && (
          <Text size="sm" c="dimmed">
            {description}
          </Text>
        )}
      </div>
      {action}
    </Group>
  )
}

/** A destructive action behind a second click, saying what it does. */
export function ConfirmButton({
  label,
  question,
  confirm,
  onConfirm,
  pending,
  ariaLabel,
  color = 'red',
}: {
  label: string
  question: string
  confirm: string
  onConfirm: () => void
  pending?: boolean
  ariaLabel?: string
  color?: string
}) {
  const [opened, setOpened] = useState(false)
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" width={280} withArrow trapFocus>
      <Popover.Target>
        <Button
          size="xs"
          variant="subtle"
          color={color}
          aria-label={ariaLabel}
          onClick={() => setOpened((o) => !o)}
          loading={pending}
        >
          {label}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <Text size="sm">{question}</Text>
          <Group justify="flex-end" gap="xs">
            <Button size="xs" variant="default" onClick={() => setOpened(false)}>
              Cancel
            </Button>
            <Button
              size="xs"
              color={color}
              onClick={() => {
                setOpened(false)
                onConfirm()
              }}
            >
              {confirm}
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  )
}
