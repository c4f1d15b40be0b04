import { Alert, Button, Group, List, Select, Stack, Text } from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ApiError, ok } from '../../api/client'
import { useCan } from '../../app/session'
import { humanize } from '../../components/format'
import { PreviewPanel, QaProblems, RenderedMessage } from '../../components/RenderedMessage'

/**
 * The macro picker: a macro previewed on this case (its template's live version as rendered for it, with link QA,
 * and what each action would change), then applied in one step, as the apply route does it: the message goes to
 * the customer and the actions change the case in one transaction.
 */
export function MacroPicker({ caseId }: { caseId: string }) {
  const can = useCan()
  const qc = useQueryClient()
  const [picked, setPicked] = useState<string | null>(null)
  const macros = useQuery({
    queryKey: ['macros'],
    queryFn: () => ok(api.GET('/api/v1/macros')),
    select: (r) => r.data,
    staleTime: 60_000,
  })
  const macro = macros.data?.find((m) => m.id === picked)
  const path = { params: { path: { id: caseId, macroId: picked! } } }
  const preview = useQuery({
    queryKey: ['case', caseId, 'macro-preview', picked],
    enabled: !!macro,
    retry: false,
    queryFn: () => ok(api.POST('/api/v1/cases/{id}/macros/{macroId}/preview', path)),
  })
  const apply = useMutation({
    meta: { inline: true },
    mutationFn: () => ok(api.POST('/api/v1/cases/{id}/macros/{macroId}/apply', path)),
    onSuccess: () => {
      setPicked(null)
      return Promise.all([
        qc.invalidateQueries({ queryKey: ['case', caseId] }),
        qc.invalidateQueries({ queryKey: ['cases'] }),
      ])
    },
  })
  if (!macros.data?.length) return null
  // Assigning (a person or a team) takes cases.assign, the other actions cases.write: the server refuses the whole
  // macro otherwise.
  const lacking = macro?.actions.some((a) => a.type === 'assign' || a.type === 'assign_team') && !can('cases.assign')
  const done = apply.data
  return (
    <Stack gap={4}>
      <Select
        label="Macro"
        placeholder="Apply a macro"
        clearable
        searchable
        value={picked}
        onChange={(id) => {
          setPicked(id)
          apply.reset()
        }}
        data={macros.data.map((m) => ({ value: m.id, label: m.name }))}
      />
      {macro && (
        <PreviewPanel query={preview} label="Macro preview">
          {(p) => (
            <Stack gap={4}>
              {p.message ? (
                <RenderedMessage {...p.message} label="Macro message" />
              ) : (
                <Text size="sm" c="dimmed">
                  Sends no message.
                </Text>
              )}
              {p.message && (
                <QaProblems problems={p.message.problems} title="Held if applied: link QA found problems" />
              )}
              {p.actions.length > 0 && (
                <List size="sm" aria-label="Macro actions">
                  {p.actions.map((a, i) => (
                    <List.Item key={i}>{a.change}</List.Item>
                  ))}
                </List>
              )}
              {lacking && (
                <Text size="xs" c="red">
                  This macro assigns the case, which your role may not do.
                </Text>
              )}
              <Group justify="flex-end">
                <Button size="compact-xs" loading={apply.isPending} disabled={lacking} onClick={() => apply.mutate()}>
                  Apply macro
                </Button>
              </Group>
            </Stack>
          )}
        </PreviewPanel>
      )}
      {apply.error && (
        <Alert color="red" role="alert" p="xs" title="Macro not applied">
          {apply.error instanceof ApiError ? apply.error.message : 'The server could not be reached.'}
        </Alert>
      )}
      {done && (
        <Alert color="teal" role="status" p="xs" withCloseButton onClose={() => apply.reset()}>
          Macro applied
          {done.message &&
            `: message ${humanize(done.message.status).toLowerCase()}${done.message.status_reason ? ` (${done.message.status_reason})` : ''}`}
          .
        </Alert>
      )}
    </Stack>
  )
}
