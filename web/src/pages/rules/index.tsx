// The rules pages, loaded as one chunk: most people open them rarely.
export { ExecutionLogPage } from './ExecutionLog'
export { RuleEditorPage } from './RuleEditor'
export { RulesPage } from './RulesPage'
