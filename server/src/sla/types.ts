import type { Static } from 'typebox'
import type { Condition, PolicyDefinition as PolicyDefinitionSchema, Step, StepAction, Target } from './schemas.js'

export type PolicyDefinition = Static<typeof PolicyDefinitionSchema>
export type ConditionDefinition = Static<typeof Condition>
export type TargetDefinition = Static<typeof Target>
export type StepDefinition = Static<typeof Step>
export type StepActionDefinition = Static<typeof StepAction>
export type SlaTier = PolicyDefinition['tier']
