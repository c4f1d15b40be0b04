import { Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core'
import { useMutation } from '@tanstack/react-query'
import { api, ok } from '../../api/client'
import { usePersonName } from '../../app/directory'
import { useCan } from '../../app/session'
import { dateTime } from '../../components/format'
import type { PreviewVersion } from './TemplatePreview'
import type { TemplateDetail } from './templates'

type Version = TemplateDetail['versions'][number]

/**
 * The saved versions, newest first: who saved and approved each, and which is live. People who may approve
 * (templates.approve) approve a version and make it live; the server allows approving one's own version.
 */
export function TemplateVersions({
  template: t,
  preview,
  stored,
}: {
  template: TemplateDetail
  preview: (v: PreviewVersion) => void
  stored: (next: TemplateDetail) => Promise<unknown>
}) {
  return (
    <Stack gap="xs">
      <Title order={3} size="h6">
        Versions
      </Title>
      {t.versions.length === 0 ? (
        <Text size="sm" c="dimmed">
          No version saved yet: save the draft as a version, then someone who may approve templates makes it live.
        </Text>
      ) : (
        <Table aria-label="Versions" verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Version</Table.Th>
              <Table.Th>Saved</Table.Th>
              <Table.Th>Approved</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {t.versions.map((v) => (
              <VersionRow key={v.version} template={t} version={v} preview={preview} stored={stored} />
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  )
}

function VersionRow({
  template: t,
  version: v,
  preview,
  stored,
}: {
  template: TemplateDetail
  version: Version
  preview: (v: PreviewVersion) => void
  stored: (next: TemplateDetail) => Promise<unknown>
}) {
  const can = useCan()
  const name = usePersonName()
  const path = { params: { path: { id: t.id, version: v.version } } }
  const approve = useMutation({
    mutationFn: (makeLive: boolean) =>
      ok(
        api.POST('/api/v1/message-templates/{id}/versions/{version}/approval', {
          ...path,
          body: { make_live: makeLive },
        }),
      ),
    onSuccess: stored,
  })
  const live = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/message-templates/{id}/versions/{version}/live', path)),
    onSuccess: stored,
  })
  const approver = can('templates.approve') && !t.archived_at
  return (
    <Table.Tr aria-label={`Version ${v.version}`}>
      <Table.Td>
        <Group gap="xs">
          <Text fw={600} size="sm">
            v{v.version}
          </Text>
          {v.live && (
            <Badge color="teal" size="sm">
              Live
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm">
          {v.created_by ? name(v.created_by) : 'System'} · {dateTime(v.created_at)}
        </Text>
      </Table.Td>
      <Table.Td>
        {v.approved_at ? (
          <Text size="sm">
            {v.approved_by ? name(v.approved_by) : 'System'} · {dateTime(v.approved_at)}
          </Text>
        ) : (
          <Badge variant="light" color="yellow" size="sm">
            Awaiting approval
          </Badge>
        )}
      </Table.Td>
      <Table.Td>
        <Group gap={4} justify="flex-end" wrap="nowrap">
          <Button size="compact-xs" variant="subtle" onClick={() => preview(v.version)}>
            Preview
          </Button>
          {approver && !v.approved_at && (
            <>
              <Button
                size="compact-xs"
                variant="light"
                loading={approve.isPending}
                onClick={() => approve.mutate(false)}
              >
                Approve
              </Button>
              <Button size="compact-xs" loading={approve.isPending} onClick={() => approve.mutate(true)}>
                Approve and make live
              </Button>
            </>
          )}
          {approver && v.approved_at && !v.live && (
            <Button size="compact-xs" loading={live.isPending} onClick={() => live.mutate()}>
              Make live
            </Button>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  )
}
