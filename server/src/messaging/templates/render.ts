import { Liquid, type LiquidError } from 'liquidjs'
import { findLinks, type QaProblem } from './link-qa.js'

// Liquid, as Shopify merchants write it: strict about unknown variables and filters, so a typo is a problem the
// editor sees, never a blank in a customer's email. No file system (include/render find nothing) and bounded work.

export type TemplateSource = { subject: string; text: string; html?: string | null }
export type Rendered = { subject: string; text: string; html: string | null; problems: QaProblem[] }
export type RenderLimits = { maxSourceChars?: number; renderMs?: number; maxOutputChars?: number }

const defaults = { maxSourceChars: 100_000, renderMs: 200, maxOutputChars: 500_000 }

// Every `{{ }}` that prints nothing prints this mark instead, so a link built from an empty variable is found after
// rendering; the mark is removed before anything leaves.
const emptyMark = '\uE000'

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => htmlEscapes[c]!)

function engine(escapeOutput: (s: string) => string, limits: typeof defaults): Liquid {
  return new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    templates: {},
    parseLimit: limits.maxSourceChars,
    renderLimit: limits.renderMs,
    memoryLimit: limits.maxOutputChars,
    outputEscape: (value: unknown) => {
      const s = value === null || value === undefined ? '' : String(value)
      return s === '' ? emptyMark : escapeOutput(s)
    },
  })
}

const engines = new Map<string, { plain: Liquid; html: Liquid }>()
function enginesFor(limits: typeof defaults) {
  const key = `${limits.maxSourceChars}:${limits.renderMs}:${limits.maxOutputChars}`
  let found = engines.get(key)
  if (!found) {
    found = { plain: engine((s) => s, limits), html: engine(escapeHtml, limits) }
    engines.set(key, found)
  }
  return found
}

function problemOf(part: string, err: unknown): QaProblem {
  const e = err as LiquidError
  const message = e?.message ?? String(err)
  if (e?.name === 'UndefinedVariableError') return { code: 'undefined_variable', detail: `${part}: ${message}` }
  if (/limit exceeded/.test(message)) return { code: 'too_large', detail: `${part}: ${message}` }
  return { code: 'invalid_template', detail: `${part}: ${message}` }
}

type PartName = 'subject' | 'text' | 'html'

/** One part: strict first; on a problem, again leniently so the preview still shows the rest of the message. */
function renderPart(
  name: PartName,
  source: string,
  liquid: Liquid,
  variables: Record<string, unknown>,
  problems: QaProblem[],
): string {
  try {
    return liquid.parseAndRenderSync(source, variables)
  } catch (err) {
    problems.push(problemOf(name, err))
    try {
      return liquid.parseAndRenderSync(source, variables, { strictVariables: false })
    } catch {
      return ''
    }
  }
}

/**
 * Renders the three parts (the HTML part with every output HTML-escaped) and reports, rather than throws, what is
 * wrong: unknown variables or filters, syntax, limits, and links built from variables that printed nothing.
 */
export function renderTemplate(
  source: TemplateSource,
  variables: Record<string, unknown>,
  opts: RenderLimits = {},
): Rendered {
  const limits = { ...defaults, ...opts }
  const { plain, html } = enginesFor(limits)
  const problems: QaProblem[] = []
  const render = (name: PartName, text: string, liquid: Liquid) => renderPart(name, text, liquid, variables, problems)
  const subject = render('subject', source.subject, plain)
  const text = render('text', source.text, plain)
  const htmlOut = source.html ? render('html', source.html, html) : null
  for (const [name, out] of [
    ['subject', subject],
    ['text', text],
    ['html', htmlOut],
  ] as const) {
    if (out === null) continue
    for (const link of findLinks(out)) {
      if (link.includes(emptyMark))
        problems.push({ code: 'empty_variable', detail: `${name}: a variable in ${strip(link) || 'a link'} is empty` })
    }
    if (out.length > limits.maxOutputChars)
      problems.push({ code: 'too_large', detail: `${name}: longer than ${limits.maxOutputChars} characters` })
  }
  // A subject is one header line.
  return {
    subject: strip(subject)
      .replace(/\s*[\r\n]+\s*/g, ' ')
      .trim(),
    text: strip(text),
    html: htmlOut === null ? null : strip(htmlOut),
    problems,
  }
}

const strip = (s: string) => s.split(emptyMark).join('')
