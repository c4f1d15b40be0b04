import { Alert, List, Paper, Skeleton, Stack, Text } from '@mantine/core'
import type { ReactNode } from 'react'
import { MessageHtml } from './MessageHtml'

type Problem = { code: string; detail: string }

// The server's QA codes (messaging/templates/link-qa.ts, render.ts) in an editor's words.
const problemLabels: Record<string, string> = {
  not_https: 'Link is not https',
  relative: 'Link is not absolute',
  host_not_allowed: 'Link to a host that is not allowed',
  unrendered: 'Unrendered Liquid left in the message',
  empty_variable: 'A variable printed nothing',
  undefined_variable: 'Unknown variable',
  invalid_template: 'The template does not parse',
  too_large: 'The message is too large',
}

export const problemLabel = (p: Problem) => problemLabels[p.code] ?? p.code.replaceAll('_', ' ')

/**
 * A template rendered by the server: its subject, then the HTML part in the safe renderer (or the text when there
 * is none); `withText` shows the text part too, as an editor needs to see both.
 */
export function RenderedMessage({
  subject,
  text,
  html,
  label,
  withText,
}: {
  subject: string
  text: string
  html: string | null
  label: string
  withText?: boolean
}) {
  const plain = (
    <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} aria-label={withText ? 'Rendered text' : undefined}>
      {text}
    </Text>
  )
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600}>
        {subject}
      </Text>
      {(withText || !html) && plain}
      {html &&
        (withText ? (
          <Paper withBorder p="xs">
            <MessageHtml html={html} text={text} label={label} />
          </Paper>
        ) : (
          <MessageHtml html={html} text={text} label={label} />
        ))}
    </Stack>
  )
}

/** What link QA found, each problem in words with the server's detail; nothing when it found none. */
export function QaProblems({
  problems,
  title,
  color = 'orange',
}: {
  problems: Problem[]
  title: string
  color?: string
}) {
  if (!problems.length) return null
  return (
    <Alert color={color} title={title} p="xs">
      <List size="sm">
        {problems.map((p, i) => (
          <List.Item key={i}>
            <b>{problemLabel(p)}</b>: {p.detail}
          </List.Item>
        ))}
      </List>
    </Alert>
  )
}

/** A preview's box: a skeleton while the server renders, its error, then what `children` makes of the answer. */
export function PreviewPanel<T>({
  query,
  label,
  children,
}: {
  query: { isPending: boolean; error: Error | null; data: T | undefined }
  label: string
  children: (data: T) => ReactNode
}) {
  return (
    <Paper withBorder p="xs" aria-label={label}>
      {query.isPending && <Skeleton h={60} />}
      {query.error && (
        <Text size="sm" c="red">
          {query.error.message}
        </Text>
      )}
      {query.data !== undefined && children(query.data)}
    </Paper>
  )
}
