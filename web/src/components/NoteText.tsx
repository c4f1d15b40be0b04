import { Text, type TextProps } from '@mantine/core'
import { splitMentions } from './mentions'

/** A note's text with its mentions as @Name (names from the entry, as they were when it was written). */
export function NoteText({
  e,
  ...props
}: { e: { data: Record<string, unknown>; text: string; names: Record<string, string> } } & TextProps) {
  return (
    <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} {...props}>
      {splitMentions(String(e.data.body ?? e.text)).map((part, i) =>
        typeof part === 'string' ? (
          part
        ) : (
          <Text span fw={700} c="indigo" key={i}>
            @{e.names[part.id] ?? part.name}
          </Text>
        ),
      )}
    </Text>
  )
}
