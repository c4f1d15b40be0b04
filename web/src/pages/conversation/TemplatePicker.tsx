import { Alert, Button, Group, List, Paper, Select, Skeleton, Stack, Text } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ok } from '../../api/client'
import { MessageHtml } from '../../components/MessageHtml'

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
        <Paper withBorder p="xs" aria-label="Template preview">
          {preview.isPending && <Skeleton h={60} />}
          {preview.isError && (
            <Text size="sm" c="red">
              {preview.error.message}
            </Text>
          )}
          {preview.data && (
            <Stack gap={4}>
              <Text size="sm" fw={600}>
                {preview.data.subject}
              </Text>
              {preview.data.html ? (
                <MessageHtml html={preview.data.html} text={preview.data.text} label="Preview" />
              ) : (
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {preview.data.text}
                </Text>
              )}
              {preview.data.problems.length > 0 && (
                <Alert color="orange" title="Held if sent: link QA found problems" p="xs">
                  <List size="sm">
                    {preview.data.problems.map((p, i) => (
                      <List.Item key={i}>
                        {p.code.replaceAll('_', ' ')}: {p.detail}
                      </List.Item>
                    ))}
                  </List>
                </Alert>
              )}
              <Group justify="flex-end">
                <Button
                  size="compact-xs"
                  variant="light"
                  onClick={() => {
                    const d = preview.data
                    onUse({ subject: d.subject, text: d.text, html: d.html, templateId: template.id, version })
                    setPicked(null)
                  }}
                >
                  Use template
                </Button>
              </Group>
            </Stack>
          )}
        </Paper>
      )}
    </Stack>
  )
}
