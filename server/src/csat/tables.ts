import type { ColumnType, Generated } from 'kysely'

type Instant = ColumnType<Date, Date, Date>

export const surveyKinds = ['csat', 'nps'] as const
export type SurveyKind = (typeof surveyKinds)[number]

// Tables of migration 0026_csat.sql.
export interface CsatTables {
  csat_settings: {
    merchant_id: string
    enabled: Generated<boolean>
    kind: Generated<SurveyKind>
    delay_minutes: Generated<number>
    /** null: the kind's default */
    low_score_threshold: number | null
    expiry_days: Generated<number>
    updated_at: Instant
  }
  csat_surveys: {
    merchant_id: string
    id: string
    case_id: string
    /** The case's reopen_count when it was resolved */
    episode: number
    kind: SurveyKind
    token_hash: string
    expires_at: Instant
    case_type: string
    carrier_code: string | null
    team_id: string | null
    agent_id: string | null
    message_id: string | null
    sent_at: Instant | null
    score: number | null
    comment: string | null
    answered_at: Instant | null
    created_at: Instant
  }
}
