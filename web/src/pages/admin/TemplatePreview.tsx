import { Alert, Button, Group, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core'
import { useMutation, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ApiError, ok } from '../../api/client'
import { useCan } from '../../app/session'
import { CasePicker } from '../../components/CasePicker'
import { PreviewPanel, QaProblems, RenderedMessage } from '../../components/RenderedMessage'
import type { TemplateDetail } from './templates'

export type PreviewVersion = 'draft' | number

/**
 * The saved draft (or a version) rendered with the sample data or a chosen case, with what link QA finds, and a
 * test send of exactly that to an address the editor types.
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
  unsaved: boolean
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
  const preview = useQuery({
    queryKey: ['message-templates', t.id, 'preview', t.updated_at, body],
    queryFn: () => ok(api.POST('/api/v1/message-templates/{id}/preview', { params: { path: { id: t.id } }, body })),
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
            { value: 'draft', label: 'Saved draft' },
            ...t.versions.map((v) => ({ value: String(v.version), label: `v${v.version}${v.live ? ' (live)' : ''}` })),
          ]}
        />
      </Group>
      {unsaved && version === 'draft' && (
        <Text size="xs" c="orange.8">
          The preview shows the saved draft: save the draft to see your changes.
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
