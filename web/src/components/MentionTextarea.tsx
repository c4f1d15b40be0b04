import { Paper, Text, Textarea } from '@mantine/core'
import { useId, useRef, useState } from 'react'
import { usePeople } from '../app/directory'
import { mentionAt } from './mentions'

type Person = { id: string; name: string }
type Props = { value: string; onChange: (v: string) => void; onMention: (p: Person) => void; error?: string }

/**
 * The note's textarea: `@` and letters open a list of the workspace's active people; arrows and Enter (or Tab),
 * or a click, pick one. The text then reads `@Name`; the composer turns picked names into mention markup.
 */
export function MentionTextarea({ value, onChange, onMention, error }: Props) {
  const people = usePeople()
  const listId = useId()
  const ref = useRef<HTMLTextAreaElement>(null)
  const [caret, setCaret] = useState(0)
  const [active, setActive] = useState(0)
  const [dismissed, setDismissed] = useState<number | null>(null)
  const at = mentionAt(value, caret)
  const query = at?.query.toLowerCase() ?? ''
  // "@bo" and "@bak" both find Bob Baker; "@bob b" too.
  const fits = (p: Person) => {
    const name = p.name.toLowerCase()
    return name.startsWith(query) || name.split(/\s+/).some((w) => w.startsWith(query))
  }
  const matches = at && at.start !== dismissed ? (people.data ?? []).filter(fits).slice(0, 6) : []
  const open = matches.length > 0
  const current = Math.min(active, matches.length - 1)
  const optionId = (p: Person) => `${listId}-${p.id}`

  const pick = (p: Person) => {
    if (!at) return
    const inserted = `@${p.name} `
    const end = at.start + inserted.length
    onChange(value.slice(0, at.start) + inserted + value.slice(caret))
    onMention(p)
    setCaret(end)
    requestAnimationFrame(() => {
      ref.current?.focus()
      ref.current?.setSelectionRange(end, end)
    })
  }
  const onKeyDown = (e: React.KeyboardEvent<HTMLTextAreaElement>) => {
    if (open && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault()
      setActive((current + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length)
    } else if (open && (e.key === 'Enter' || e.key === 'Tab') && !e.metaKey && !e.ctrlKey) {
      e.preventDefault()
      pick(matches[current]!)
    } else if (open && e.key === 'Escape') {
      e.preventDefault()
      setDismissed(at?.start ?? null)
    } else if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) e.currentTarget.form?.requestSubmit()
  }

  return (
    <div style={{ position: 'relative' }}>
      <Textarea
        ref={ref}
        label="Internal note"
        autosize
        description="Only your team sees notes; type @ and a name to notify a colleague"
        minRows={2}
        maxRows={10}
        value={value}
        error={error}
        onKeyDown={onKeyDown}
        role="combobox"
        aria-expanded={open}
        aria-autocomplete="list"
        aria-controls={listId}
        aria-activedescendant={open ? optionId(matches[current]!) : undefined}
        onChange={(e) => {
          onChange(e.currentTarget.value)
          setCaret(e.currentTarget.selectionStart)
          setActive(0)
          setDismissed(null)
        }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
      />
      {open && (
        <Paper
          withBorder
          shadow="md"
          p={4}
          id={listId}
          role="listbox"
          aria-label="People to mention"
          style={{ position: 'absolute', zIndex: 10, left: 0, right: 0 }}
        >
          {matches.map((p, i) => (
            <Text
              key={p.id}
              id={optionId(p)}
              role="option"
              aria-selected={i === current}
              size="sm"
              px="xs"
              py={4}
              bg={i === current ? 'var(--mantine-primary-color-light)' : undefined}
              style={{ cursor: 'pointer', borderRadius: 4 }}
              onMouseDown={(e) => {
                e.preventDefault() // keep the caret in the textarea
                pick(p)
              }}
            >
              {p.name}{' '}
              <Text span size="xs" c="dimmed">
                {p.email}
              </Text>
            </Text>
          ))}
        </Paper>
      )}
    </div>
  )
}
