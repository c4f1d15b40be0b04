import type { ColumnType, Generated } from 'kysely'

type Instant = ColumnType<Date, Date, Date>

export interface TeamTables {
  teams: {
    merchant_id: string
    id: string
    name: string
    description: Generated<string>
    lead_user_id: string | null
    /** Business hours (an SLA calendar, migration 0023): alerts that are not urgent wait for them. */
    calendar_id: Generated<string | null>
    created_at: Instant
    updated_at: Instant
  }
  team_members: { merchant_id: string; team_id: string; user_id: string; added_at: Instant }
}
