import { Alert, Button, Group, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ApiError, ok } from '../../api/client'
import { useCan } from '../../app/session'
import { CasePicker } from '../../components/CasePicker'
import { PreviewPanel, QaProblems, RenderedMessage } from '../../components/RenderedMessage'
import type { TemplateDetail } from './templates'

export type PreviewVersion = 'draft' | number

/** The draft's parts as the editor has them, saved or not. */
export type DraftParts = { subject: string; text: string; html: string | null }

/**
 * The draft as the editor types it (or a saved version) rendered with the sample data or a chosen case, with what
 * link QA finds, live; and a test send of the saved draft or version to an address the editor types.
 */
export function TemplatePreview({
  template: t,
  version,
  setVersion,
  unsaved,
}: {
  template: TemplateDetail
  version: PreviewVersion
  setVersion: (v: PreviewVersion) => void
  /** The editor's unsaved parts, or null when the form holds the saved draft. */
  unsaved: DraftParts | null
}) {
  const can = useCan()
  const [caseId, setCaseId] = useState<string | null>(null)
  const [picking, setPicking] = useState(false)
  const chosen = useQuery({
    queryKey: ['case', caseId],
    enabled: !!caseId,
    queryFn: () => ok(api.GET('/api/v1/cases/{id}', { params: { path: { id: caseId! } } })),
  })
  const body = { version, ...(caseId ? { case_id: caseId } : {}) }
  // Typing re-renders after a pause; the last rendering stays on screen meanwhile.
  const [typed] = useDebouncedValue(version === 'draft' ? unsaved : null, 400)
  const previewBody = typed ? { ...body, draft: typed } : body
  const preview = useQuery({
    queryKey: ['message-templates', t.id, 'preview', t.updated_at, previewBody],
    queryFn: () =>
      ok(api.POST('/api/v1/message-templates/{id}/preview', { params: { path: { id: t.id } }, body: previewBody })),
    placeholderData: keepPreviousData,
    retry: false,
  })
  const [to, setTo] = useState('')
  const testSend = useMutation({
    meta: { inline: true },
    mutationFn: () =>
      ok(
        api.POST('/api/v1/message-templates/{id}/test-sends', {
          params: { path: { id: t.id } },
          body: { ...body, to },
        }),
      ),
  })
  const p = preview.data
  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end">
        <SegmentedControl
          aria-label="Preview with"
          size="xs"
          value={caseId ? 'case' : 'sample'}
          onChange={(v) => (v === 'case' ? setPicking(true) : setCaseId(null))}
          data={[
            { value: 'sample', label: 'Sample data' },
            { value: 'case', label: chosen.data ? `Case ${chosen.data.number}` : 'A case…' },
          ]}
        />
        <Select
          label="Version"
          size="xs"
          w={160}
          allowDeselect={false}
          value={String(version)}
          onChange={(v) => v && setVersion(v === 'draft' ? 'draft' : Number(v))}
          data={[
            { value: 'draft', label: 'Draft' },
            ...t.versions.map((v) => ({ value: String(v.version), label: `v${v.version}${v.live ? ' (live)' : ''}` })),
          ]}
        />
      </Group>
      {unsaved && version === 'draft' && (
        <Text size="xs" c="dimmed">
          Previewing your unsaved changes; a test send sends the saved draft.
        </Text>
      )}
      <PreviewPanel query={preview} label="Template preview">
        {(p) => <RenderedMessage {...p} label="Rendered HTML" withText />}
      </PreviewPanel>
      {p &&
        (p.problems.length ? (
          <QaProblems
            color="red"
            problems={p.problems}
            title={`QA: ${p.problems.length} problem${p.problems.length > 1 ? 's' : ''}; this would be held, not sent`}
          />
        ) : (
          <Alert color="teal" p="xs">
            QA found no problems: every link is https on an allowed domain and every variable rendered.
          </Alert>
        ))}
      {can('templates.manage') && (
        <Group align="flex-end" gap="xs">
          <TextInput
            label="Send a test to"
            placeholder="you@example.com"
            type="email"
            flex={1}
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
            error={
              testSend.error instanceof ApiError && testSend.error.fieldErrors().to ? 'Not an email address' : undefined
            }
          />
          <Button variant="light" loading={testSend.isPending} disabled={!to.trim()} onClick={() => testSend.mutate()}>
            Send test
          </Button>
        </Group>
      )}
      {testSend.data && (
        <Alert color="teal" role="status" p="xs" withCloseButton onClose={() => testSend.reset()}>
          Test sent to {testSend.data.to} (Message-ID {testSend.data.message_id})
          {testSend.data.problems.length > 0 && ', with the QA problems above'}.
        </Alert>
      )}
      {testSend.error && !(testSend.error instanceof ApiError && testSend.error.fieldErrors().to) && (
        <Alert color="red" role="alert" p="xs" title="Test not sent">
          {testSend.error.message}
          {testSend.error instanceof ApiError && typeof testSend.error.body.details?.reply === 'string' && (
            <Text size="xs">{testSend.error.body.details.reply}</Text>
          )}
        </Alert>
      )}
      <CasePicker
        opened={picking}
        close={() => setPicking(false)}
        title="Preview with a case"
        action="Preview with this case"
        exclude=""
        busy={false}
        onPick={(ids) => {
          setCaseId(ids[0] ?? null)
          setPicking(false)
        }}
      />
    </Stack>
  )
}
