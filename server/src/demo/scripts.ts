import type { CaseStatus, ResolutionCode, RootCause } from '../cases/types.js'
import type { Weighted } from './commerce.js'

// How Northwind's agents work each kind of case: whom they wait on and for how long, what they
// write, how it usually ends and why. `{carrier}` stands for the parcel's carrier.

export type Script = {
  team: 'support' | 'logistics'
  /** the status the case waits in, and for how many hours */
  waitsIn: Exclude<CaseStatus, 'new' | 'open' | 'resolved' | 'closed'> | null
  waitHours: [number, number]
  ask: string
  answer: string
  /** waiting on the customer: what the agent writes to them, and what they answer */
  request?: string
  reply?: string
  tags: string[]
  codes: Weighted<ResolutionCode>
  causes: Weighted<RootCause>
}

const carrierCase = (s: Omit<Script, 'team' | 'causes'> & Partial<Pick<Script, 'team' | 'causes'>>): Script => ({
  team: 'logistics',
  causes: [['carrier', 1]],
  ...s,
})

export const scripts: Record<string, Script> = {
  lost_parcel: carrierCase({
    waitsIn: 'waiting_carrier',
    waitHours: [3 * 24, 21 * 24],
    tags: ['carrier-claim'],
    ask: 'Opened a trace with {carrier} and told the customer we are on it.',
    answer: '{carrier} closed the trace: the parcel is lost. Claim filed.',
    codes: [
      ['reshipped', 45],
      ['refunded', 35],
      ['carrier_credited', 20],
    ],
  }),
  damaged: carrierCase({
    waitsIn: 'waiting_customer',
    waitHours: [24, 6 * 24],
    tags: ['photos-requested'],
    ask: 'Asked the customer for photos of the item and the packaging.',
    answer: 'Photos received: the outer box was crushed in transit.',
    request:
      "I'm sorry your order arrived damaged. Could you reply with a photo of the item and one of the packaging, " +
      "shipping label included? As soon as we have them we'll sort out a replacement or a refund.",
    reply: 'Photos attached. The box was crushed on one corner and the zip on the jacket is broken.',
    codes: [
      ['replaced', 40],
      ['refunded', 35],
      ['carrier_credited', 25],
    ],
    causes: [
      ['carrier', 70],
      ['packaging', 30],
    ],
  }),
  customs_hold: carrierCase({
    waitsIn: 'waiting_customer',
    waitHours: [24, 7 * 24],
    tags: ['duties'],
    ask: 'Told the customer which import duties are due and how to pay them.',
    answer: 'Customer paid the duties; {carrier} released the parcel.',
    request:
      'Your parcel is held at customs until the import duties are paid. {carrier} will send you a payment link ' +
      'by email or text; once it is paid the parcel is usually released within a day or two.',
    reply: "Thanks for explaining. I've paid the duties through the {carrier} link this morning.",
    codes: [
      ['no_action', 60],
      ['refunded', 25],
      ['reshipped', 15],
    ],
    causes: [
      ['customer', 60],
      ['address', 20],
      ['unknown', 20],
    ],
  }),
  late_delivery: carrierCase({
    team: 'support',
    waitsIn: 'waiting_carrier',
    waitHours: [24, 7 * 24],
    tags: [],
    ask: 'Asked {carrier} for a new delivery date.',
    answer: '{carrier} gave a new date; customer updated.',
    codes: [
      ['no_action', 60],
      ['reshipped', 25],
      ['refunded', 15],
    ],
  }),
  undeliverable: carrierCase({
    team: 'support',
    waitsIn: 'waiting_customer',
    waitHours: [24, 5 * 24],
    tags: ['address-check'],
    ask: 'Asked the customer to confirm the delivery address.',
    answer: 'Customer confirmed the address (flat number was missing).',
    request:
      '{carrier} could not deliver your parcel to the address on the order. Could you confirm your full delivery ' +
      'address, with any flat or building number?',
    reply: "Sorry, my fault: it's Flat 4, the rest of the address is right.",
    codes: [
      ['reshipped', 55],
      ['refunded', 45],
    ],
    causes: [
      ['address', 60],
      ['customer', 40],
    ],
  }),
  wrong_item: {
    team: 'support',
    waitsIn: 'waiting_customer',
    waitHours: [24, 4 * 24],
    tags: ['photos-requested'],
    ask: 'Asked for a photo of the item received and of the packing slip.',
    answer: 'Photo received: wrong SKU picked.',
    request:
      "I'm sorry we sent you the wrong item. Could you reply with a photo of what you received and of the " +
      'packing slip? Then we can send the right one straight away.',
    reply: 'Here you go. I ordered the navy one in medium and got a green one in large.',
    codes: [
      ['replaced', 60],
      ['refunded', 40],
    ],
    causes: [['pick_pack_error', 1]],
  },
  missing_item: {
    team: 'support',
    waitsIn: 'on_hold',
    waitHours: [2 * 24, 12 * 24],
    tags: ['warehouse-check'],
    ask: 'Asked the warehouse to check the packing record and the parcel weight.',
    answer: 'Warehouse confirms the item was not packed.',
    codes: [
      ['reshipped', 60],
      ['refunded', 40],
    ],
    causes: [
      ['pick_pack_error', 80],
      ['packaging', 20],
    ],
  },
  return_dispute: {
    team: 'support',
    waitsIn: 'on_hold',
    waitHours: [2 * 24, 10 * 24],
    tags: [],
    ask: 'Asked the returns desk to re-inspect the returned item.',
    answer: 'Returns desk re-inspected the item.',
    codes: [
      ['refunded', 60],
      ['rejected', 40],
    ],
    causes: [
      ['customer', 70],
      ['fraud', 10],
      ['unknown', 20],
    ],
  },
  warranty_claim: {
    team: 'support',
    waitsIn: 'waiting_customer',
    waitHours: [2 * 24, 14 * 24],
    tags: ['photos-requested'],
    ask: 'Asked for photos of the fault and the care label.',
    answer: 'Photos received: a manufacturing fault.',
    request:
      "I'm sorry to hear about the fault. Could you send us a photo of it and one of the care label inside? " +
      "We'll look at them with our quality team.",
    reply: 'Photos attached. The seam under the arm came apart after two washes at 30 degrees.',
    codes: [
      ['replaced', 45],
      ['repaired', 25],
      ['rejected', 30],
    ],
    causes: [
      ['unknown', 75],
      ['customer', 25],
    ],
  },
  other: {
    team: 'support',
    waitsIn: null,
    waitHours: [0, 0],
    tags: [],
    ask: '',
    answer: 'Answered the customer.',
    codes: [['no_action', 1]],
    causes: [['unknown', 1]],
  },
}

export const resolutionNotes: Record<ResolutionCode, string> = {
  refunded: 'Refunded in full.',
  reshipped: 'Sent a replacement parcel.',
  carrier_credited: 'Carrier credited the claim; customer reshipped.',
  replaced: 'Replacement sent.',
  repaired: 'Repaired and returned.',
  no_action: 'Nothing more to do.',
  rejected: 'Claim declined, with the reasons.',
  duplicate: 'Duplicate.',
}
