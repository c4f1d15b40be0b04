import { Text } from '@mantine/core'
import { dateTime } from './format'

/** In place of a message body a customer's erasure reached: what it said is gone, not hidden. */
export function Redacted({ at, why }: { at: string; why: string }) {
  return (
    <Text size="sm" c="dimmed" fs="italic" data-redacted>
      Redacted on {dateTime(at)}: {why}
    </Text>
  )
}
