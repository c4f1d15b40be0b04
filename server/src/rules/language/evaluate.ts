import type { Condition, ConditionSeen, Facts, Money } from '../types.js'

// Stand-in until the language lands: equality, order and AND/OR/NOT only.
export type EvaluateEnv = { convert(money: Money, to: string): Promise<{ money: Money; note: string }> }

export async function evaluateCondition(
  condition: Condition,
  facts: Facts,
  env: EvaluateEnv,
): Promise<{ matched: boolean; seen: ConditionSeen[] }> {
  const seen: ConditionSeen[] = []
  const walk = async (c: Condition): Promise<boolean> => {
    if (c.kind === 'not') return !(await walk(c.item))
    if (c.kind !== 'compare') {
      for (const i of c.items) if ((await walk(i)) === (c.kind === 'or')) return c.kind === 'or'
      return c.kind === 'and'
    }
    const fact = facts[c.field as keyof Facts] as unknown
    const expected = c.resolved ?? ('value' in c.value ? c.value.value : null)
    const matched =
      c.op === '='
        ? Array.isArray(expected)
          ? expected.includes(fact)
          : fact === expected
        : c.op === '>' && typeof fact === 'number' && typeof expected === 'number'
          ? fact > expected
          : false
    void env
    seen.push({ field: c.field, op: c.op, expected, seen: fact, matched })
    return matched
  }
  return { matched: await walk(condition), seen }
}
