// A NameResolver over fixed names, for the language's pure tests.

import type { NameResolver } from '../types.js'
import { defaultPack } from '../default-pack.js'
import { exampleRules } from '../examples.js'
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
export const issueRules = exampleRules.map((r) => r.source)

/** The default pack's rules, as a new workspace gets them. */
export const defaultPackRules = defaultPack.map((r) => r.source)
