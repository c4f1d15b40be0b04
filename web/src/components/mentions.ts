// The markup the server parses for mentions (cases service, addNote): `@[Name](user-id)`.
const markup = /@\[([^\]]{1,200})\]\(([0-9a-f-]{36})\)/gi

export const mentionMarkup = (name: string, id: string) => `@[${name.replace(/[[\]]/g, '')}](${id})`

/** A note's body as text and the people it mentions, for showing `@Name` instead of the markup. */
export function splitMentions(body: string): (string | { id: string; name: string })[] {
  const parts: (string | { id: string; name: string })[] = []
  let last = 0
  for (const m of body.matchAll(markup)) {
    if (m.index > last) parts.push(body.slice(last, m.index))
    parts.push({ id: m[2]!, name: m[1]! })
    last = m.index + m[0].length
  }
  if (last < body.length) parts.push(body.slice(last))
  return parts
}

// `@` at the start or after a non-word character (so not inside an email address), then up to three words.
const typing = /(?:^|[^\p{L}\p{N}_@])@([\p{L}\p{N}'.-]*(?: [\p{L}\p{N}'.-]*){0,2})$/u

/** The `@name` being typed just before the caret: where its `@` is and what follows it. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret)
  const m = typing.exec(before)
  return m ? { start: before.length - m[1]!.length - 1, query: m[1]! } : null
}
