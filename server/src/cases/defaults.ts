import { trackingStatuses } from '../carriers/model.js'
import type { CaseTemplate, CustomFieldDef, Priority } from './tables.js'

export type DefaultCaseType = {
  key: string
  label: string
  description: string
  priority: Priority
  requiredEvidence: string[]
  slaTier: string
  customFields: CustomFieldDef[]
  template: CaseTemplate
}

/** A case type as a new workspace gets it: normal priority, the standard SLA tier, nothing else unless given. */
const caseType = (
  key: string,
  label: string,
  description: string,
  given: Partial<Omit<DefaultCaseType, 'key' | 'label' | 'description'>> = {},
): DefaultCaseType => ({
  key,
  label,
  description,
  priority: 'normal',
  requiredEvidence: [],
  slaTier: 'standard',
  customFields: [],
  template: {},
  ...given,
})

/** Every new workspace starts with these; merchants relabel, extend or archive them. */
export const defaultCaseTypes: DefaultCaseType[] = [
  caseType('lost_parcel', 'Lost Parcel', 'The carrier lost the parcel, or it stopped moving', {
    priority: 'high',
    requiredEvidence: ['proof_of_postage', 'invoice'],
    customFields: [
      { key: 'carrier_claim_reference', label: 'Carrier claim reference', type: 'text' },
      { key: 'claim_deadline', label: 'Carrier claim deadline', type: 'date' },
    ],
    template: {
      subject: 'Lost parcel {{tracking_number}}',
      checklist: [
        'Check the last carrier scan',
        'Open a trace with the carrier',
        'Offer the customer a reship or refund',
        'File the carrier claim',
      ],
    },
  }),
  caseType('damaged', 'Damaged', 'The parcel or its contents arrived damaged', {
    requiredEvidence: ['photo_of_damage', 'photo_of_packaging', 'invoice'],
    customFields: [
      {
        key: 'damage_severity',
        label: 'Damage severity',
        type: 'enum',
        options: ['cosmetic', 'functional', 'unusable'],
      },
    ],
    template: {
      subject: 'Damaged parcel {{tracking_number}}',
      checklist: [
        'Ask for photos of the item and the packaging',
        'Decide replace, repair or refund',
        'File the carrier claim',
      ],
    },
  }),
  caseType('customs_hold', 'Customs Hold', 'Held by customs awaiting documents or duties', {
    requiredEvidence: ['commercial_invoice', 'customs_declaration'],
    template: {
      subject: 'Customs hold {{tracking_number}}',
      checklist: ['Check what customs asks for', 'Send the commercial invoice', 'Tell the customer about duties'],
    },
  }),
  caseType('late_delivery', 'Late Delivery', 'Past the promised or estimated delivery date', {
    template: {
      subject: 'Late delivery {{tracking_number}}',
      checklist: ["Check the carrier's latest estimate", 'Update the customer'],
    },
  }),
  caseType('undeliverable', 'Undeliverable', 'Failed delivery, bad address or returned to sender', {
    template: {
      subject: 'Undeliverable {{tracking_number}}',
      checklist: ['Confirm the address with the customer', 'Arrange redelivery or reship'],
    },
  }),
  caseType('wrong_item', 'Wrong Item', 'The customer received a different item', {
    requiredEvidence: ['photo_of_item'],
    customFields: [{ key: 'received_sku', label: 'SKU received', type: 'text' }],
  }),
  caseType('missing_item', 'Missing Item', 'Items missing from a delivered parcel', {
    requiredEvidence: ['photo_of_contents'],
    customFields: [{ key: 'missing_quantity', label: 'Quantity missing', type: 'number' }],
  }),
  caseType('return_dispute', 'Return Dispute', 'A disagreement about a returned item or its refund', {
    requiredEvidence: ['return_photos'],
  }),
  caseType('warranty_claim', 'Warranty Claim', 'A fault covered by warranty', {
    requiredEvidence: ['proof_of_purchase', 'photo_of_fault'],
    customFields: [
      { key: 'serial_number', label: 'Serial number', type: 'text' },
      { key: 'purchase_date', label: 'Purchase date', type: 'date' },
    ],
  }),
  caseType('other', 'Other', 'Anything else', { priority: 'low' }),
]

/** `late` is the carriers module's shipment.late, `lost_no_scan` its silence past lost_after_days. */
export const policyTriggers = [...trackingStatuses, 'late', 'lost_no_scan'] as const
export type PolicyTrigger = (typeof policyTriggers)[number]

export type PolicyRule = {
  on: PolicyTrigger
  case_type: string
  priority: Priority | null
  /** open only if the status has not cleared after this many hours (0: at once) */
  watch_hours: number
  /** per carrier code, overriding watch_hours */
  carrier_watch_hours: Record<string, number>
  enabled: boolean
}

export type ExceptionPolicy = {
  rules: PolicyRule[]
  /** days without a scan after which a parcel counts as lost; per carrier code overrides */
  lost_after_days: number
  carrier_lost_after_days: Record<string, number>
  /** what a later delivery does to the case it answers: back to an agent for review, or resolved */
  on_delivered: 'review' | 'resolve'
  /** low-confidence carrier results go to the review list instead of opening cases */
  review_low_confidence: boolean
}

const rule = (on: PolicyTrigger, caseType: string, watchHours = 0, priority: Priority | null = null): PolicyRule => ({
  on,
  case_type: caseType,
  priority,
  watch_hours: watchHours,
  carrier_watch_hours: {},
  enabled: true,
})

// Weather delays, failed attempts and address corrections often fix themselves within a day or two.
export const defaultPolicy: ExceptionPolicy = {
  rules: [
    rule('lost', 'lost_parcel'),
    rule('lost_no_scan', 'lost_parcel'),
    rule('damaged', 'damaged'),
    rule('customs_hold', 'customs_hold', 24),
    rule('returned_to_sender', 'undeliverable'),
    rule('attempt_failed', 'undeliverable', 48),
    rule('exception', 'undeliverable', 24),
    rule('delayed', 'late_delivery', 24),
    rule('late', 'late_delivery'),
  ],
  lost_after_days: 10,
  carrier_lost_after_days: {},
  on_delivered: 'review',
  review_low_confidence: true,
}

export const defaultReopenWindowHours = 168
export const defaultAutoCloseAfterHours = 72
