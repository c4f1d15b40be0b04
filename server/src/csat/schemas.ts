import { Type } from 'typebox'
import { Timestamp } from '../http/schemas.js'
import { maxDelayMinutes } from './settings.js'
import { surveyKinds } from './tables.js'

const Kind = Type.Enum([...surveyKinds], { description: 'csat: 1–5; nps: 0–10 ("How likely are you to recommend…")' })
const settingsFields = {
  enabled: Type.Boolean({ description: 'Whether resolved cases get a survey' }),
  kind: Kind,
  delay_minutes: Type.Integer({
    minimum: 0,
    maximum: maxDelayMinutes,
    description: 'Minutes after the resolution the survey goes out (at most 7 days)',
  }),
  low_score_threshold: Type.Integer({
    minimum: 0,
    maximum: 9,
    description: "A score at or under this notifies the case team's lead (csat 2, nps 6 unless set)",
  }),
  expiry_days: Type.Integer({ minimum: 1, maximum: 90, description: 'Days the survey link works' }),
}

export const SettingsView = Type.Object(settingsFields)
export const SettingsBody = Type.Object(
  {
    enabled: Type.Optional(settingsFields.enabled),
    kind: Type.Optional(settingsFields.kind),
    delay_minutes: Type.Optional(settingsFields.delay_minutes),
    low_score_threshold: Type.Optional(
      Type.Union([settingsFields.low_score_threshold, Type.Null()], { description: "null: the kind's default" }),
    ),
    expiry_days: Type.Optional(settingsFields.expiry_days),
  },
  { additionalProperties: false },
)

export const statsGroups = ['case_type', 'carrier', 'team', 'agent', 'week'] as const
export const StatsQuery = Type.Object(
  {
    group_by: Type.Enum([...statsGroups]),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Surveys created at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Surveys created before' })),
  },
  { additionalProperties: false },
)
const NullableNumber = Type.Union([Type.Number(), Type.Null()])
const figures = {
  sent: Type.Integer({ description: 'Surveys sent' }),
  responses: Type.Integer({ description: 'Surveys answered' }),
  response_rate: Type.Union([Type.Number(), Type.Null()], { description: 'responses / sent (0–1)' }),
  average_score: NullableNumber,
  csat_percent: Type.Union([Type.Number(), Type.Null()], { description: 'CSAT: share of 4–5 answers, in percent' }),
  nps: Type.Union([Type.Number(), Type.Null()], { description: 'NPS: promoters − detractors, in percent' }),
}
export const StatsView = Type.Object({
  kind: Kind,
  group_by: Type.Enum([...statsGroups]),
  time_zone: Type.String({ description: 'The zone weeks are counted in' }),
  total: Type.Object(figures),
  groups: Type.Array(
    Type.Object({
      group: Type.Union([Type.String(), Type.Null()], { description: 'The key: case type, carrier code, id, week' }),
      label: Type.String(),
      ...figures,
    }),
  ),
})

export const SurveyTokenParams = Type.Object({
  token: Type.String({ minLength: 20, maxLength: 1000, pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' }),
})
export const SurveyAnswerBody = Type.Object(
  {
    score: Type.Integer({ minimum: 0, maximum: 10, description: 'csat 1–5, nps 0–10' }),
    comment: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
  },
  { additionalProperties: false },
)
export const PublicSurveyView = Type.Object({
  store: Type.String(),
  case_number: Type.String(),
  kind: Kind,
  question: Type.String(),
  min: Type.Integer(),
  max: Type.Integer(),
  min_label: Type.String(),
  max_label: Type.String(),
  expires_at: Timestamp,
  answered: Type.Boolean(),
  score: Type.Union([Type.Integer(), Type.Null()]),
})
