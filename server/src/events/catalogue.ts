import type { Module } from '../modules.js'

// The event catalogue, docs/events.md: rendered from the modules' declarations (their events.ts), so the
// document and the code cannot drift (catalogue.test.ts fails when they do). `npm run events:doc` writes it.

export const catalogueFile = new URL('../../../docs/events.md', import.meta.url)

type Schema = {
  type?: string
  format?: string
  const?: unknown
  enum?: unknown[]
  anyOf?: Schema[]
  items?: Schema
  properties?: Record<string, Schema>
  required?: string[]
  description?: string
}

type Row = { field: string; type: string; nullable: boolean; description: string }

const code = (v: unknown) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

function typeOf(s: Schema): string {
  if (s.const !== undefined) return code(s.const)
  if (s.enum) return s.enum.map(code).join(' or ')
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ')
  if (s.type === 'array') return `array of ${s.items ? typeOf(s.items) : 'any'}`
  if (s.type === 'string' && s.format) return `string (${s.format})`
  return s.type ?? 'any'
}

/** One row per field, nested objects (and arrays of them) flattened as `parent.child` and `parent[].child`. */
function rows(schema: Schema, prefix = ''): Row[] {
  return Object.entries(schema.properties ?? {}).flatMap(([name, field]) => {
    const branches = field.anyOf?.filter((b) => b.type !== 'null')
    const nullable = Boolean(field.anyOf?.some((b) => b.type === 'null'))
    const inner = nullable && branches?.length === 1 ? branches[0]! : field
    const optional = !schema.required?.includes(name)
    const path = `${prefix}${name}`
    const row = {
      field: path,
      type: `${typeOf(inner)}${optional ? ', optional' : ''}`,
      nullable,
      description: field.description ?? inner.description ?? '',
    }
    if (inner.type === 'object') return [row, ...rows(inner, `${path}.`)]
    if (inner.type === 'array' && inner.items?.type === 'object') return [row, ...rows(inner.items, `${path}[].`)]
    return [row]
  })
}

export function renderEventCatalogue(modules: readonly Module[]): string {
  const events = modules.flatMap((m) =>
    Object.entries(m.events ?? {}).map(([type, declaration]) => ({ type, module: m.name, ...declaration })),
  )
  const seen = new Set<string>()
  for (const e of events) {
    if (seen.has(e.type)) throw new Error(`Event ${e.type} is declared twice`)
    seen.add(e.type)
  }
  const lines = [
    '# Domain events',
    '',
    "Generated from the modules' `events.ts` by `npm run events:doc`; do not edit by hand.",
    '',
    'A module writes its events to the outbox in the transaction of the change they announce; consumers get them',
    'once that commits, at least once, and key on `id`. Every event has the same envelope: `id` (uuid), `merchant_id`',
    '(uuid), `type`, `subject_id` (the id of the subject named below, or null), `occurred_at` (ISO 8601, UTC: when',
    'it happened, not when it was sent) and `data`, whose fields are listed per event.',
    '',
    '| type | module | subject | meaning |',
    '|---|---|---|---|',
    ...events.map(
      (e) =>
        `| [${code(e.type)}](#${e.type.replace(/\./g, '')}) | ${e.module} | ${e.subject ?? '—'} | ${cell(e.description)} |`,
    ),
  ]
  for (const e of events) {
    lines.push(
      '',
      `## ${e.type}`,
      '',
      `${e.description}`,
      '',
      `Module: \`${e.module}\`. Subject: ${e.subject ?? 'none'}.`,
    )
    const fields = rows(e.data as Schema)
    if (!fields.length) {
      lines.push('', 'No fields: `data` is `{}`.')
      continue
    }
    lines.push('', '| field | type | nullable | description |', '|---|---|---|---|')
    for (const f of fields)
      lines.push(`| ${code(f.field)} | ${cell(f.type)} | ${f.nullable ? 'yes' : 'no'} | ${cell(f.description)} |`)
  }
  return `${lines.join('\n')}\n`
}
