import type { AppContext } from '../../context.js'
import { AppError } from '../../errors.js'
import { dryRunRule } from '../engine/dry-run.js'
import * as store from '../store.js'
import type { DryRunReport } from '../types.js'
import { compileSource } from './rules.js'

/** The longest range a dry run scans: history beyond it belongs to reports, not to an editor's preview. */
export const maxRangeDays = 90
/** The most events one dry run reads (they are judged in memory). */
export const maxScan = 20_000

export type TestRuleInput = { source?: string; ruleId?: string; from: Date; to: Date; limit?: number }

const refuse = (path: string, message: string, says: string) =>
  new AppError('validation_failed', says, { errors: [{ path, message }] })

/** What a draft (or a saved rule) would have done over the stored events of a range, with no side effects. */
export async function testRule(app: AppContext, merchantId: string, input: TestRuleInput): Promise<DryRunReport> {
  if ((input.source === undefined) === (input.ruleId === undefined))
    throw refuse('body', 'give either source or rule_id', 'Test either a draft (source) or a saved rule (rule_id)')
  if (input.from >= input.to) throw refuse('body/to', 'must be after from', 'The range ends before it starts')
  if (input.to.getTime() - input.from.getTime() > maxRangeDays * 86_400_000)
    throw refuse('body/to', `must be at most ${maxRangeDays} days after from`, `The range is over ${maxRangeDays} days`)
  if (input.limit !== undefined && (!Number.isSafeInteger(input.limit) || input.limit < 1 || input.limit > maxScan))
    throw refuse('body/limit', `must be 1–${maxScan}`, `A dry run scans 1–${maxScan} events`)
  const compiled =
    input.source !== undefined
      ? await compileSource(app.db, merchantId, input.source)
      : (await store.findRule(app.db, merchantId, input.ruleId!))?.compiled
  if (!compiled) throw new AppError('rule_not_found', 'No such rule', { rule_id: input.ruleId })
  return dryRunRule(app, merchantId, compiled, { from: input.from, to: input.to, limit: input.limit })
}
