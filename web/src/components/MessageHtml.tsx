import { Box, Text } from '@mantine/core'
import { useLayoutEffect, useMemo, useRef } from 'react'
import { canSanitize, sanitizeEmailHtml, type SafeHtmlOptions } from './safe-html'

/**
 * An email's HTML body, sanitised (safe-html.ts) and appended as DOM nodes: no string goes through innerHTML on
 * the page, so what DOMPurify returned is exactly what the page holds. Falls back to the text part when the
 * browser cannot sanitise.
 */
export function MessageHtml({
  html,
  text,
  cidUrl,
  label,
}: {
  html: string
  text: string
  cidUrl?: SafeHtmlOptions['cidUrl']
  label?: string
}) {
  const ref = useRef<HTMLDivElement>(null)
  const supported = canSanitize()
  const clean = useMemo(() => (supported ? sanitizeEmailHtml(html, { cidUrl }) : null), [html, cidUrl, supported])
  useLayoutEffect(() => {
    if (clean && ref.current) ref.current.replaceChildren(clean.fragment.cloneNode(true))
  }, [clean])
  if (!clean)
    return (
      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
        {text}
      </Text>
    )
  return (
    <Box>
      {clean.blockedImages > 0 && (
        <Text size="xs" c="dimmed" mb={4}>
          {clean.blockedImages === 1 ? 'A remote image was' : `${clean.blockedImages} remote images were`} not loaded
          (senders use them to see who reads their mail); each is a link you can open.
        </Text>
      )}
      <Box
        ref={ref}
        role="document"
        aria-label={label ?? 'Message'}
        data-message-html=""
        fz="sm"
        style={{ overflowX: 'auto', overflowWrap: 'anywhere', maxWidth: '100%', contain: 'content' }}
      />
    </Box>
  )
}
