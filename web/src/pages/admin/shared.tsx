import { Alert, Button, Group, List } from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, ok, type Reply } from '../../api/client'
import { usePermittedList } from '../../app/directory'
import type { SettingsBody } from './policy'

export type Role = Reply<'/api/v1/roles', 'get'>['data'][number]
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

/** The foot of a settings form: a note once saved, then Save and Discard changes for whoever may edit. */
export function SaveBar({
  saved,
  dismiss,
  editable,
  pending,
  unchanged,
  discard,
  children,
}: {
  /** What the note says once saved ("Policy saved."), or false when there is nothing to say. */
  saved: string | false
  dismiss: () => void
  editable: boolean
  pending: boolean
  /** Nothing to save or discard: both buttons are disabled. */
  unchanged?: boolean
  discard: () => void
  /** The save button's text. */
  children: string
}) {
  return (
    <>
      {saved && (
        <Alert color="teal" p="xs" withCloseButton closeButtonLabel="Dismiss" onClose={dismiss}>
          {saved}
        </Alert>
      )}
      {editable && (
        <Group>
          <Button type="submit" loading={pending} disabled={unchanged}>
            {children}
          </Button>
          <Button variant="default" disabled={unchanged} onClick={discard}>
            Discard changes
          </Button>
        </Group>
      )}
    </>
  )
}

/** The stored case settings: exception policy, lifecycle and routing (`useSaveCaseSettings` keeps them current). */
export function useCaseSettings() {
  return useQuery({ queryKey: ['case-settings'], queryFn: () => ok(api.GET('/api/v1/case-settings')) })
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
  return usePermittedList(['roles'], 'roles.read', () => ok(api.GET('/api/v1/roles')), 60_000)
}
