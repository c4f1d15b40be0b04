import type { Body, Reply } from './client'
import type { CaseSummary } from './types'

export type CaseStatus = CaseSummary['status']

type StatusBody = Body<'/api/v1/cases/{id}/status', 'post'>
export type ResolutionCode = NonNullable<StatusBody['resolution_code']>
export type RootCause = NonNullable<StatusBody['root_cause']>
// Shipment replies type a status as a string; the providers' status tables name the enum itself.
type StatusTable = Reply<'/api/v1/carriers/providers', 'get'>['data'][number]['status_table']
export type TrackingStatus = StatusTable[number]['status']

/**
 * An API enum's values in the order given, for pickers. The type comes from the API's generated types and the keys
 * must name each of its values once, so the build fails when the server's list and this one part.
 */
export const valuesOf = <T extends string>(all: Record<T, true>) => Object.keys(all) as T[]

export const resolutionCodes = valuesOf<ResolutionCode>({
  refunded: true,
  reshipped: true,
  carrier_credited: true,
  replaced: true,
  repaired: true,
  no_action: true,
  rejected: true,
  duplicate: true,
})

export const rootCauses = valuesOf<RootCause>({
  carrier: true,
  packaging: true,
  pick_pack_error: true,
  address: true,
  customer: true,
  fraud: true,
  unknown: true,
})
