import { Button, Checkbox, Group, Stack, Text, TextInput } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { api, ok } from '../api/client'
import { Dialog } from './form'
import { humanize } from './format'

/** Finds other cases by number, subject or tracking number and hands back the chosen ones (merge, link). */
export function CasePicker({
  opened,
  close,
  title,
  action,
  exclude,
  busy,
  onPick,
}: {
  opened: boolean
  close: () => void
  title: string
  action: string
  exclude: string
  busy: boolean
  onPick: (ids: string[]) => void
}) {
  const [q, setQ] = useState('')
  const [chosen, setChosen] = useState<string[]>([])
  const found = useQuery({
    queryKey: ['cases', 'picker', q],
    enabled: opened && q.trim().length > 1,
    queryFn: () => ok(api.GET('/api/v1/cases', { params: { query: { q: q.trim(), limit: 10 } } })),
    select: (r) => r.data.filter((c) => c.id !== exclude),
  })
  return (
    <Dialog opened={opened} onClose={close} title={title} size="lg">
      <Stack>
        <TextInput
          label="Find cases"
          description="A case number (CD-1042), words from the subject or notes, or a tracking number"
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          data-autofocus
        />
        {found.data?.length === 0 && (
          <Text size="sm" c="dimmed">
            No other case matches
          </Text>
        )}
        {found.data?.map((c) => (
          <Checkbox
            key={c.id}
            checked={chosen.includes(c.id)}
            onChange={(e) => setChosen(e.currentTarget.checked ? [...chosen, c.id] : chosen.filter((x) => x !== c.id))}
            label={`${c.number} · ${c.subject || humanize(c.case_type)} · ${humanize(c.status)}`}
          />
        ))}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button disabled={!chosen.length} loading={busy} onClick={() => onPick(chosen)}>
            {action}
            {chosen.length ? ` (${chosen.length})` : ''}
          </Button>
        </Group>
      </Stack>
    </Dialog>
  )
}
