import type { ServiceContext } from '../../auth/actor.js'
import type { Db, Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import * as store from '../store.js'
import { type RuleMode, type RuleProblem, ruleModes } from '../types.js'
import { blockStart, compileSource, createRule, deleteRule, ruleNamePattern, updateRule } from './rules.js'

// The workspace's rules as one text file (configuration as code; docs/rules-file.md): a header comment, then per
// rule its settings as `# key: value` lines and its source verbatim, then a blank line. Export → import → export
// gives the same bytes, so the file can live in a repository and be reviewed like code.

const header =
  '# Claimdesk automation rules, in the order they run. Each rule: its settings as "# key: value" lines, then its\n' +
  '# text as written. Import with `npx claimdesk rules import FILE` (docs/rules-file.md).\n\n'

const escapeLine = (s: string) => s.replace(/[\\\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : '\\r'))
const unescapeLine = (s: string) =>
  s.replace(/\\([\\nr])/g, (_m, c: string) => (c === '\\' ? '\\' : c === 'n' ? '\n' : '\r'))

export async function exportRules(db: Db, merchantId: string): Promise<string> {
  const blocks = (await store.listRules(db, merchantId)).map(
    (r) =>
      `${blockStart} ${r.name}\n# description: ${escapeLine(r.description)}\n# priority: ${r.priority}\n` +
      `# mode: ${r.mode}\n# stop-processing: ${r.stop_processing}\n${r.source}\n\n`,
  )
  return header + blocks.join('')
}

export type FileRule = {
  name: string
  description?: string
  priority?: number
  mode?: RuleMode
  stopProcessing?: boolean
  source: string
  /** 1-based lines of the file: the block's `# name:` line and its source's first line */
  nameLine: number
  sourceLine: number
}

type Problem = RuleProblem & { rule?: string }
const lineProblem = (line: number, message: string, rule?: string): Problem => ({
  line,
  column: 1,
  end_line: line,
  end_column: 1,
  message,
  ...(rule ? { rule } : {}),
})

const maxPriority = 1_000_000
const settingParsers: Record<string, (v: string, r: FileRule) => string | null> = {
  description: (v, r) => {
    r.description = unescapeLine(v)
    return r.description.length > 2000 ? 'the description is longer than 2000 characters' : null
  },
  priority: (v, r) => {
    r.priority = Number(v)
    return /^\d{1,7}$/.test(v) && r.priority <= maxPriority ? null : `the priority is a whole number 0–${maxPriority}`
  },
  mode: (v, r) => {
    r.mode = v as RuleMode
    return (ruleModes as readonly string[]).includes(v) ? null : `the mode is one of ${ruleModes.join(', ')}`
  },
  'stop-processing': (v, r) => {
    r.stopProcessing = v === 'true'
    return v === 'true' || v === 'false' ? null : 'stop-processing is true or false'
  },
}

/** The file's rules, or every problem with its line (the whole file is refused if it has any). */
export function parseRulesFile(text: string): { rules: FileRule[]; problems: Problem[] } {
  // An editor that rewrote every line ending as CRLF changed nothing a person meant.
  const file = /\n/.test(text) && !/(^|[^\r])\n/.test(text) ? text.replaceAll('\r\n', '\n') : text
  const lines = file.split('\n')
  const problems: Problem[] = []
  const starts = lines.flatMap((l, i) => (l.startsWith(blockStart) ? [i] : []))
  const preamble = lines.slice(0, starts[0] ?? lines.length)
  const stray = preamble.findIndex((l) => l.trim() !== '' && !l.startsWith('#'))
  if (stray >= 0) problems.push(lineProblem(stray + 1, `Expected a "${blockStart}" line before a rule's text`))
  const rules: FileRule[] = []
  const seen = new Map<string, number>()
  for (const [b, start] of starts.entries()) {
    const end = starts[b + 1] ?? lines.length
    const name = lines[start]!.slice(blockStart.length).trim()
    const rule: FileRule = { name, source: '', nameLine: start + 1, sourceLine: start + 2 }
    if (!ruleNamePattern.test(name) || name.length > 200)
      problems.push(lineProblem(start + 1, 'A rule name is 1–200 printable characters', name))
    const twice = seen.get(name.toLowerCase())
    if (twice) problems.push(lineProblem(start + 1, `A second rule named "${name}" (the first is on line ${twice})`))
    seen.set(name.toLowerCase(), start + 1)
    let at = start + 1
    const given = new Set<string>()
    for (; at < end; at++) {
      const m = /^# ([a-z-]+):(?: (.*))?$/.exec(lines[at]!)
      if (!m) break
      const [, key = '', value = ''] = m
      const parse = settingParsers[key]
      const problem = !parse
        ? `Unknown setting "${key}" (description, priority, mode, stop-processing)`
        : given.has(key)
          ? `"${key}" appears twice`
          : parse(value, rule)
      if (problem) problems.push(lineProblem(at + 1, problem, name))
      given.add(key)
    }
    rule.sourceLine = at + 1
    // The block's text ends with the blank line that separates it from the next (one newline at the file's end).
    const body = lines.slice(at, end).join('\n') + (end < lines.length ? '\n' : '')
    rule.source = body.endsWith('\n\n') ? body.slice(0, -2) : body.endsWith('\n') ? body.slice(0, -1) : body
    if (!rule.source.trim()) problems.push(lineProblem(rule.sourceLine, 'The rule has no text', name))
    rules.push(rule)
  }
  return { rules, problems }
}

export type ImportResult = {
  created: string[]
  updated: string[]
  unchanged: string[]
  deleted: string[]
  dry_run: boolean
}

export type ImportOptions = {
  /** Also delete the workspace's rules the file does not name */
  replace: boolean
  /** Report what would change without changing it */
  dryRun: boolean
}

const invalid = (problems: Problem[]) =>
  new AppError('rules_file_invalid', 'The rules file is not valid: nothing was imported', { problems })

/** Merges the file by rule name (create, update, leave), all or nothing: any problem refuses the whole file. */
export async function importRules(
  trx: Trx,
  ctx: ServiceContext,
  text: string,
  opts: ImportOptions,
  now: Date,
): Promise<ImportResult> {
  const { rules, problems } = parseRulesFile(text)
  if (problems.length) throw invalid(problems)
  const existing = new Map((await store.listRules(trx, ctx.merchantId)).map((r) => [r.name.toLowerCase(), r]))
  for (const r of rules) {
    if (existing.get(r.name.toLowerCase())?.source === r.source) continue
    await compileSource(trx, ctx.merchantId, r.source).catch((err: unknown) => {
      if (!(err instanceof AppError && err.code === 'rule_invalid')) throw err
      for (const p of (err.details?.problems ?? []) as RuleProblem[])
        problems.push({
          ...p,
          line: p.line + r.sourceLine - 1,
          end_line: p.end_line + r.sourceLine - 1,
          rule: r.name,
        })
    })
  }
  if (problems.length) throw invalid(problems)

  const result: ImportResult = { created: [], updated: [], unchanged: [], deleted: [], dry_run: opts.dryRun }
  const named = new Set(rules.map((r) => r.name.toLowerCase()))
  for (const r of rules) {
    const row = existing.get(r.name.toLowerCase())
    const input = {
      name: r.name,
      description: r.description,
      source: r.source,
      mode: r.mode,
      priority: r.priority,
      stopProcessing: r.stopProcessing,
    }
    if (!row) {
      result.created.push(r.name)
      if (!opts.dryRun) await createRule(trx, ctx, input, now)
      continue
    }
    const same =
      row.name === r.name &&
      row.source === r.source &&
      (r.description === undefined || r.description === row.description) &&
      (r.priority === undefined || r.priority === row.priority) &&
      (r.mode === undefined || r.mode === row.mode) &&
      (r.stopProcessing === undefined || r.stopProcessing === row.stop_processing)
    if (same) {
      result.unchanged.push(r.name)
      continue
    }
    result.updated.push(r.name)
    if (!opts.dryRun) await updateRule(trx, ctx, row.id, input, now)
  }
  if (opts.replace)
    for (const [key, row] of existing) {
      if (named.has(key)) continue
      result.deleted.push(row.name)
      if (!opts.dryRun) await deleteRule(trx, ctx, row.id, now)
    }
  return result
}
