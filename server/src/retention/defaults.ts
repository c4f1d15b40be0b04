import type { RetentionKind, RetentionStart } from './tables.js'

export type Policy = { kind: RetentionKind; scope: string; keep_days: number; after: RetentionStart; enabled: boolean }

/**
 * The documented defaults (README "Retention"), for every kind and scope a workspace has not set. Invoices, customs
 * and VAT papers are kept seven years after the case closes (tax law in most of the EU and the UK asks six to ten);
 * photos a year after it closes; message text three years after; customers are not erased by age unless the
 * workspace turns that on. An evidence type without a policy of its own follows the evidence '' policy.
 */
export const defaultPolicies: readonly Policy[] = [
  { kind: 'evidence', scope: '', keep_days: 2555, after: 'case_closed', enabled: true },
  ...['invoice', 'commercial_invoice', 'customs_declaration', 'proof_of_postage', 'shipment_manifest'].map((scope) => ({
    kind: 'evidence' as const,
    scope,
    keep_days: 2555,
    after: 'case_closed' as const,
    enabled: true,
  })),
  ...['damage_photo', 'packaging_photo', 'contents_photo'].map((scope) => ({
    kind: 'evidence' as const,
    scope,
    keep_days: 365,
    after: 'case_closed' as const,
    enabled: true,
  })),
  { kind: 'message_bodies', scope: '', keep_days: 1095, after: 'case_closed', enabled: true },
  { kind: 'customer_data', scope: '', keep_days: 1095, after: 'created', enabled: false },
]
