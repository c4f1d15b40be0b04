import type { Address, CounterpartyKind, SideConversationStatus } from '../tables.js'
import type { SideConversationRow } from './store.js'

/** A side conversation as it leaves through the API. */
export type SideConversation = {
  id: string
  case_id: string
  subject: string
  counterparty_kind: CounterpartyKind
  counterparty_name: string
  participants: Address[]
  status: SideConversationStatus
  created_by: string | null
  last_message_at: Date
  closed_at: Date | null
  created_at: Date
  updated_at: Date
}

export const toSideConversation = (r: SideConversationRow): SideConversation => ({
  id: r.id,
  case_id: r.case_id,
  subject: r.subject,
  counterparty_kind: r.counterparty_kind,
  counterparty_name: r.counterparty_name,
  participants: r.participants,
  status: r.status,
  created_by: r.created_by,
  last_message_at: r.last_message_at,
  closed_at: r.closed_at,
  created_at: r.created_at,
  updated_at: r.updated_at,
})
