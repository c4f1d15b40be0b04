// Checking and compiling a rule's text for a workspace: parse, then resolve its names (rules are stored compiled).

import type { Db } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { type CompileResult, compileAst } from '../language/compile.js'
import { parseRule } from '../language/parse.js'
import type { CompiledRule } from '../types.js'
import { dbResolver } from './resolver.js'

/** The rule's problems (line, column, message), or what it compiles to. For the editor's as-you-type check. */
export async function checkRule(db: Db, merchantId: string, source: string): Promise<CompileResult> {
  const parsed = parseRule(source)
  if (!parsed.ok) return parsed
  return compileAst(parsed.ast, source, dbResolver(db, merchantId))
}

/** What a rule compiles to; 422 rule_invalid with details.problems when it does not. */
export async function compileRule(db: Db, merchantId: string, source: string): Promise<CompiledRule> {
  const checked = await checkRule(db, merchantId, source)
  if (!checked.ok) {
    const [first] = checked.problems
    throw new AppError('rule_invalid', `Line ${first!.line}, column ${first!.column}: ${first!.message}`, {
      problems: checked.problems,
    })
  }
  return checked.compiled
}
