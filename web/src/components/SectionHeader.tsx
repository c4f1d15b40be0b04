import { Button, Group, Text, Title } from '@mantine/core'
import type { ReactNode } from 'react'

/** A heading with a dimmed line under it, and an action (a button, a badge) at the other end. */
export function SectionHeader({
  title,
  description,
  action,
  order = 2,
  size = 'h4',
  align = 'flex-end',
}: {
  title: string
  description?: ReactNode
  action?: ReactNode
  order?: 2 | 3
  size?: 'h4' | 'h5'
  align?: 'flex-end' | 'flex-start'
}) {
  return (
    <Group justify="space-between" align={align}>
      <div>
        <Title order={order} size={size}>
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

/** A header's action that opens the form for a new record ("New team"). */
export function NewButton({ onClick, children }: { onClick: () => void; children: string }) {
  return (
    <Button size="xs" onClick={onClick}>
      {children}
    </Button>
  )
}
