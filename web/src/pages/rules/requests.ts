import { api, type Body, ok, type Query, type Reply } from '../../api/client'

export type Rule = Reply<'/api/v1/rules/{id}', 'get'>
export type RuleMode = Rule['mode']
export type RuleVersion = Reply<'/api/v1/rules/{id}/versions', 'get'>['data'][number]
export type Validation = Reply<'/api/v1/rules/validate', 'post'>
export type RuleProblem = Validation['problems'][number]
export type DryRunReport = Reply<'/api/v1/rules/test', 'post'>
export type ConditionSeen = DryRunReport['samples'][number]['conditions'][number]
export type ActionOutcome = DryRunReport['samples'][number]['actions'][number]
export type Execution = Reply<'/api/v1/rule-executions', 'get'>['data'][number]
export type Outcome = Execution['outcome']
export type Trigger = Rule['triggers'][number]
export type ExecutionFilter = Omit<Query<'/api/v1/rule-executions'>, 'cursor' | 'limit'>
export type ImportResult = Reply<'/api/v1/rules/import', 'post'>
export type RuleBody = Body<'/api/v1/rules', 'post'>

export const ruleKeys = { all: ['rules'], one: (id: string) => ['rules', id], log: ['rule-executions'] }

export const listRules = () => ok(api.GET('/api/v1/rules'))
export const getRule = (id: string) => ok(api.GET('/api/v1/rules/{id}', { params: { path: { id } } }))
export const createRule = (body: RuleBody) => ok(api.POST('/api/v1/rules', { body }))
export const updateRule = (id: string, body: Body<'/api/v1/rules/{id}', 'patch'>) =>
  ok(api.PATCH('/api/v1/rules/{id}', { params: { path: { id } }, body }))
export const deleteRule = (id: string) => ok(api.DELETE('/api/v1/rules/{id}', { params: { path: { id } } }))
export const listVersions = (id: string) => ok(api.GET('/api/v1/rules/{id}/versions', { params: { path: { id } } }))
export const validateRule = (source: string) => ok(api.POST('/api/v1/rules/validate', { body: { source } }))
export const testRule = (body: { source: string; from: string; to: string }) =>
  ok(api.POST('/api/v1/rules/test', { body }))
export const listExecutions = (filter: ExecutionFilter, cursor: string | undefined) =>
  ok(api.GET('/api/v1/rule-executions', { params: { query: { ...filter, limit: 50, ...(cursor ? { cursor } : {}) } } }))
/** The rules file goes up as it is: text, not JSON. */
export const importRules = (text: string, options: { replace: boolean; dryRun: boolean }) =>
  ok(
    api.POST('/api/v1/rules/import', {
      params: { query: { replace: options.replace, dry_run: options.dryRun } },
      body: text,
      bodySerializer: (b: string) => b,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    }),
  )
export const exportUrl = '/api/v1/rules/export'
