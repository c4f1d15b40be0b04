/**
 * The visible reply and the folded tail (quoted history, then or else the signature) of a plain-text email.
 *
 * Written here rather than taken from a library: the maintained Node port of GitHub's email_reply_parser
 * (npm `email-reply-parser`, crisp-oss, v2) is not among the installed packages. It follows the same rules,
 * in a smaller form: the tail starts at the first quote header ("On … wrote:", also wrapped over two lines and
 * in a few languages; "-----Original Message-----"; an Outlook From:/Sent: block, with or without its
 * underscore rule) or at a run of `>` lines that nothing unquoted follows (inline answers between quotes stay
 * visible); a signature ("-- " delimiter, "Sent from my …") ends the visible part when it starts within the
 * last lines. Forwarded messages are not folded: their content is what the customer sent.
 */
export type Folded = { visible: string; folded: string }

const quoteHeaders = [
  /^On\b.{0,300}\bwrote:$/i, // English (Gmail, Apple Mail, Thunderbird)
  /^Le\b.{0,300}\ba écrit\s?:$/i, // French
  /^Am\b.{0,300}\bschrieb.{0,120}:$/i, // German
  /^El\b.{0,300}\bescribió:$/i, // Spanish
  /^Op\b.{0,300}\bgeschreven:$/i, // Dutch
  /^Il giorno\b.{0,300}\bha scritto:$/i, // Italian
  /^-{2,}\s*Original Message\s*-{2,}$/i,
  /^-{2,}\s*Ursprüngliche Nachricht\s*-{2,}$/i,
]
const outlookFrom = /^\*?(From|De|Von|Van|Da):\*?\s/i
const outlookNext = /^\*?(Sent|Date|Envoyé|Gesendet|Verzonden|Inviato|To|Subject|Objet|Betreff):\*?\s/i
const signatureStart = [/^-- ?$/, /^Sent from my \w/i, /^Get Outlook for \w/i, /^Envoyé de mon \w/i]
const signatureMaxLines = 12

function quoteHeaderAt(lines: string[], i: number): boolean {
  const line = lines[i]!.trim()
  if (quoteHeaders.some((re) => re.test(line))) return true
  // A quote header wrapped over two lines: "On Tue, … <a@b.c>" / "wrote:".
  const next = lines[i + 1]?.trim()
  if (next !== undefined && /^On\b/i.test(line) && quoteHeaders[0]!.test(`${line} ${next}`)) return true
  if (/^_{10,}$/.test(line) && outlookFrom.test(lines[i + 1]?.trim() ?? '')) return true
  return outlookFrom.test(line) && outlookNext.test(lines[i + 1]?.trim() ?? '')
}

const quoted = (line: string) => /^\s*>/.test(line)

export function foldReply(text: string): Folded {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  let cut = lines.length
  for (let i = 0; i < lines.length; i++) {
    if (quoteHeaderAt(lines, i)) {
      cut = i
      break
    }
    if (quoted(lines[i]!) && lines.slice(i).every((l) => !l.trim() || quoted(l))) {
      cut = i
      break
    }
  }
  // The signature: the last delimiter within the final lines of what is left.
  for (let i = cut - 1; i >= 0 && i >= cut - signatureMaxLines; i--) {
    if (signatureStart.some((re) => re.test(lines[i]!.trimEnd()))) {
      cut = i
      break
    }
  }
  const visible = lines.slice(0, cut).join('\n').trim()
  const folded = lines.slice(cut).join('\n').trim()
  // Nothing but quotes (a forward-only or empty reply): show it all rather than nothing.
  return visible ? { visible, folded } : { visible: text.trim(), folded: '' }
}

/** What recordMessage stores of a received text: the reply and its folded tail, or nothing when nothing folds. */
export function foldedParts(text: string): { replyText: string; quotedText: string } | Record<never, never> {
  const { visible, folded } = foldReply(text)
  return folded ? { replyText: visible, quotedText: folded } : {}
}
