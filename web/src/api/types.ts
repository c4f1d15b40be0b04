import type { Reply } from './client'

export type Session = Reply<'/api/v1/auth/session', 'get'>
export type CaseList = Reply<'/api/v1/cases', 'get'>
export type CaseSummary = CaseList['data'][number]
export type CaseDetail = Reply<'/api/v1/cases/{id}', 'get'>
export type TimelineEntry = Reply<'/api/v1/cases/{id}/timeline', 'get'>['data'][number]
export type CaseType = Reply<'/api/v1/case-types', 'get'>['data'][number]
export type CaseView = Reply<'/api/v1/case-views', 'get'>['data'][number]
export type User = Reply<'/api/v1/users', 'get'>['data'][number]
export type Team = Reply<'/api/v1/teams', 'get'>['data'][number]
export type Message = Reply<'/api/v1/cases/{id}/messages', 'get'>['data'][number]
