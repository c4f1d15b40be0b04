import { useMemo } from 'react'
import { usePermittedList } from '../../app/directory'
import { listRules, ruleKeys } from './requests'

/** Rules' names by id, for what a rule did (timeline entries, messages), when the role may read the rules. */
export function useRuleNames(): Record<string, string> {
  const rules = usePermittedList(ruleKeys.all, 'rules.read', listRules, 60_000)
  return useMemo(() => Object.fromEntries(rules.data?.map((r) => [r.id, r.name]) ?? []), [rules.data])
}
