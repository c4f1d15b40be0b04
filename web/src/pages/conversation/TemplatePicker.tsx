import { Button, Group, Select, Stack } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ok } from '../../api/client'
import { PreviewPanel, QaProblems, RenderedMessage } from '../../components/RenderedMessage'

/** A template rendered for the case: what the composer takes in. */
export type Rendered = {
  subject: string
  text: string
  html: string | null
  templateId: string
  version: number | null
}

/**
 * The template picker: the workspace's email templates, each previewed as rendered for this case (its live
 * version, or its draft when none is live yet) with the link QA problems that would hold it; "Use template" puts
 * the subject and text in the composer.
 */
export function TemplatePicker({ caseId, onUse }: { caseId: string; onUse: (r: Rendered) => void }) {
  const [picked, setPicked] = useState<string | null>(null)
  const templates = useQuery({
    queryKey: ['message-templates', 'email'],
    queryFn: () => ok(api.GET('/api/v1/message-templates', { params: { query: { channel: 'email' } } })),
    select: (r) => r.data.filter((t) => !t.archived_at),
    staleTime: 60_000,
  })
  const template = templates.data?.find((t) => t.id === picked)
  const version = template?.live_version ?? null
  const preview = useQuery({
    queryKey: ['case', caseId, 'template-preview', picked, version],
    enabled: !!template,
    queryFn: () =>
      ok(
        api.POST('/api/v1/message-templates/{id}/preview', {
          params: { path: { id: picked! } },
          body: { case_id: caseId, version: version ?? 'draft' },
        }),
      ),
  })
  if (!templates.data?.length) return null
  return (
    <Stack gap={4}>
      <Select
        label="Template"
        placeholder="Write your own, or pick a template"
        clearable
        searchable
        value={picked}
        onChange={setPicked}
        data={templates.data.map((t) => ({
          value: t.id,
          label: `${t.name} (${t.locale}${t.live_version ? `, v${t.live_version}` : ', draft'})`,
        }))}
      />
      {template && (
        <PreviewPanel query={preview} label="Template preview">
          {(d) => (
            <Stack gap={4}>
              <RenderedMessage {...d} label="Preview" />
              <QaProblems problems={d.problems} title="Held if sent: link QA found problems" />
              <Group justify="flex-end">
                <Button
                  size="compact-xs"
                  variant="light"
                  onClick={() => {
                    onUse({ subject: d.subject, text: d.text, html: d.html, templateId: template.id, version })
                    setPicked(null)
                  }}
                >
                  Use template
                </Button>
              </Group>
            </Stack>
          )}
        </PreviewPanel>
      )}
    </Stack>
  )
}
