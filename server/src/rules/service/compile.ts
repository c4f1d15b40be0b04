import type { Db } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { actionNames, type CompiledAction, type CompiledRule, type Position, type RuleProblem } from '../types.js'

// Stand-in until the language lands (rules-lang writes the real compileRule and checkRule with these signatures):
// the IF … THEN shape and known action names only.

const positionAt = (source: string, offset: number): Position => {
  const before = source.slice(0, offset).split('\n')
  return { offset, line: before.length, column: before[before.length - 1]!.length + 1 }
}

const problemAt = (source: string, start: number, end: number, message: string): RuleProblem => {
  const a = positionAt(source, start)
  const b = positionAt(source, end)
  return { line: a.line, column: a.column, end_line: b.line, end_column: b.column, message }
}

export async function checkRule(
  _db: Db,
  _merchantId: string,
  source: string,
): Promise<{ ok: true; compiled: CompiledRule } | { ok: false; problems: RuleProblem[] }> {
  const shape = /^\s*IF\s[\s\S]*?\sTHEN\s/i.exec(source)
  if (!shape) return { ok: false, problems: [problemAt(source, 0, source.length, 'Expected IF <condition> THEN')] }
  const span = { start: positionAt(source, 0), end: positionAt(source, source.length) }
  const problems: RuleProblem[] = []
  const actions: CompiledAction[] = []
  for (const m of source.slice(shape[0].length).matchAll(/([A-Za-z][\w-]*)\s*\(/g)) {
    const at = shape[0].length + m.index
    const name = m[1]!
      .toLowerCase()
      .replaceAll('-', '_')
      .replace(/^auto_/, '')
    if (!(actionNames as readonly string[]).includes(name)) {
      problems.push(problemAt(source, at, at + m[1]!.length, `Unknown action ${m[1]}`))
      continue
    }
    actions.push({ name, args: {}, text: m[1]!, span } as unknown as CompiledAction)
  }
  if (problems.length) return { ok: false, problems }
  // Matches nothing: the stand-in cannot read conditions, so its rules must not act.
  const condition = { kind: 'or' as const, items: [], span }
  return {
    ok: true,
    compiled: { format: 1, condition, actions, triggers: ['case_opened'], fields: [], thresholds: [] },
  }
}

export async function compileRule(db: Db, merchantId: string, source: string): Promise<CompiledRule> {
  const checked = await checkRule(db, merchantId, source)
  if (!checked.ok) throw new AppError('rule_invalid', 'The rule is not valid', { problems: checked.problems })
  return checked.compiled
}
