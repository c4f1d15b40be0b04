// A NameResolver over fixed names, for the language's pure tests.

import type { NameResolver } from '../types.js'
import { matchKey } from './names.js'

export const fixedResolver: NameResolver = {
  caseType: async (n) =>
    matchKey(n, [
      { key: 'lost_parcel', label: 'Lost Parcel' },
      { key: 'damaged', label: 'Damaged' },
      { key: 'customs_hold', label: 'Customs Hold' },
      { key: 'late_delivery', label: 'Late Delivery' },
      { key: 'undeliverable', label: 'Undeliverable' },
    ]),
  team: async (n) =>
    matchKey(n, [
      { key: 'team-hv', label: 'HighValue' },
      { key: 'team-ops', label: 'Logistics Ops' },
    ]),
  user: async (n) => (n.toLowerCase() === 'ana@example.com' ? 'user-ana' : null),
  template: async (n) => {
    const purpose = matchKey(n, [
      { key: 'damage_ack', label: 'Damage acknowledgement' },
      { key: 'acknowledgement', label: 'Acknowledgement' },
      { key: 'customs_hold', label: 'Customs hold' },
    ])
    return purpose ? { id: `tpl-${purpose}`, purpose } : null
  },
  evidenceType: async (n) =>
    matchKey(n, [
      { key: 'invoice', label: 'Invoice' },
      { key: 'damage_photo', label: 'Damage photo' },
    ]),
  currency: async (c) => ({ GBP: { exponent: 2 }, USD: { exponent: 2 }, JPY: { exponent: 0 } })[c] ?? null,
}

/** The three rules of issue 25, exactly as merchants paste them. */
export const issueRules = [
  "IF carrier_event = 'Undeliverable' AND value > 100 GBP THEN create_case(type='Lost Parcel', priority='High') AND set_SLA(24h) AND notify(agent_group='HighValue').",
  "IF case_type='Damaged' THEN send_template('Damage Ack') TO customer AND request_attachment('photo') WITH 48h deadline.",
  "IF SLA_elapsed >= 75% THEN auto-notify(team_lead) AND add_tag('escalating').",
]

/** The default pack's rules as the common brief writes them (rules/default-pack.ts holds the seeded copy). */
export const defaultPackRules = [
  "IF event = 'case.opened' AND channel = 'carrier' AND case_type IN ('Lost Parcel', 'Damaged', 'Late Delivery', 'Undeliverable') THEN send_template('Acknowledgement') TO customer.",
  "IF channel = 'carrier' AND (case_type = 'Customs Hold' OR carrier IN ('DHL Express', 'FedEx', 'UPS')) THEN assign(team='Logistics Ops', strategy='least_loaded').",
  "IF product_category = 'electronics' AND value > 250 GBP THEN assign(team='HighValue', strategy='round_robin').",
  "IF connection_status = 'unhealthy' THEN notify(team='Logistics Ops').",
  "IF carrier_event = 'Delayed - Customs' THEN create_case(type='Customs Hold', priority='High') AND set_SLA(48h) AND send_template('Customs hold') TO customer VIA sms, email.",
  "IF case_type = 'Customs Hold' AND time_since_carrier_update >= 24h THEN escalate(team='Logistics Ops') AND check_evidence('carrier_claim').",
]
