import { Box, Input, Text } from '@mantine/core'
import { type CSSProperties, useId, useLayoutEffect, useRef } from 'react'
import type { RuleProblem } from './requests'
import { problemPlace, segments } from './rule-text'

// The textarea and the copy behind it must lay text out identically, or the marks drift from the words.
const sameLayout: CSSProperties = {
  fontFamily: 'var(--mantine-font-family-monospace)',
  fontSize: 14,
  lineHeight: 1.55,
  padding: '8px 10px',
  border: '1px solid transparent',
  boxSizing: 'border-box',
  whiteSpace: 'pre-wrap',
  overflowWrap: 'break-word',
  wordBreak: 'normal',
  tabSize: 2,
  margin: 0,
  width: '100%',
  letterSpacing: 'normal',
}

/**
 * A rule's text in a monospace textarea; the problems' spans are marked on a copy of the text behind it (hidden from
 * assistive technology: the problem list under it, which the textarea names as its description, is what they read).
 */
export function SourceEditor({
  value,
  onChange,
  problems,
  readOnly,
}: {
  value: string
  onChange: (v: string) => void
  /** Problems found in this very text (stale ones would mark the wrong words) */
  problems: RuleProblem[]
  readOnly?: boolean
}) {
  const id = useId()
  const area = useRef<HTMLTextAreaElement>(null)
  // The textarea grows with its text, so neither it nor the copy ever scrolls.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the height follows the text
  useLayoutEffect(() => {
    const el = area.current
    if (!el) return
    el.style.height = 'auto'
    el.style.height = `${el.scrollHeight + 2}px`
  }, [value])
  return (
    <Input.Wrapper label="Rule" labelProps={{ htmlFor: id }} description="IF <condition> THEN <action> [AND <action>]…">
      <Box pos="relative" mt={4} style={{ borderRadius: 'var(--mantine-radius-sm)' }} bg="var(--mantine-color-body)">
        <Box
          component="pre"
          aria-hidden
          style={{ ...sameLayout, position: 'absolute', inset: 0, color: 'transparent' }}
        >
          {segments(value, problems).map((s, i) =>
            s.problem === null ? (
              s.text
            ) : (
              <mark
                key={i}
                data-problem={s.problem}
                style={{
                  color: 'transparent',
                  background: 'var(--mantine-color-red-light)',
                  textDecoration: 'underline wavy var(--mantine-color-red-filled)',
                  textDecorationSkipInk: 'none',
                }}
              >
                {s.text}
              </mark>
            ),
          )}
        </Box>
        <textarea
          ref={area}
          id={id}
          value={value}
          readOnly={readOnly}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          rows={4}
          aria-invalid={problems.length > 0}
          aria-describedby={`${id}-problems`}
          onChange={(e) => onChange(e.currentTarget.value)}
          style={{
            ...sameLayout,
            position: 'relative',
            display: 'block',
            resize: 'none',
            overflow: 'hidden',
            background: 'transparent',
            color: 'var(--mantine-color-text)',
            caretColor: 'var(--mantine-color-text)',
            borderColor: problems.length > 0 ? 'var(--mantine-color-error)' : 'var(--mantine-color-default-border)',
            borderRadius: 'var(--mantine-radius-sm)',
          }}
        />
      </Box>
      <Box id={`${id}-problems`} aria-live="polite" mt={4}>
        {problems.length > 0 && (
          <Box component="ul" aria-label="Problems" m={0} pl="md">
            {problems.map((p, i) => (
              <Text component="li" key={i} size="sm">
                {problemPlace(p)}: {p.message}
              </Text>
            ))}
          </Box>
        )}
      </Box>
    </Input.Wrapper>
  )
}
