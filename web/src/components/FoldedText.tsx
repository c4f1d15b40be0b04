import { Button, Text } from '@mantine/core'
import { useId, useState } from 'react'

const wrap = { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' } as const

/** A small button that shows or hides what it controls, and says which. */
export function ShowHide({
  open,
  onChange,
  what,
  controls,
}: {
  open: boolean
  onChange: (open: boolean) => void
  what: [show: string, hide: string]
  controls?: string
}) {
  return (
    <Button
      variant="subtle"
      size="compact-xs"
      mt={4}
      aria-expanded={open}
      aria-controls={controls}
      onClick={() => onChange(!open)}
    >
      {open ? what[1] : what[0]}
    </Button>
  )
}

/**
 * A message's text with its quoted history and signature folded away: the reply, and a toggle that shows the
 * rest beneath it (the server splits them when the email is recorded).
 */
export function FoldedText({ text, quoted }: { text: string; quoted: string | null }) {
  const [open, setOpen] = useState(false)
  const id = useId()
  return (
    <>
      <Text size="sm" style={wrap}>
        {text}
      </Text>
      {quoted && (
        <>
          <ShowHide open={open} onChange={setOpen} what={['Show quoted text', 'Hide quoted text']} controls={id} />
          {open && (
            <Text id={id} size="sm" c="dimmed" mt={4} pl="xs" style={{ ...wrap, borderLeft: '2px solid' }}>
              {quoted}
            </Text>
          )}
        </>
      )}
    </>
  )
}
