import { Button, Group, Popover, Stack, Text } from '@mantine/core'
import { useState } from 'react'

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
