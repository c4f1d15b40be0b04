import { findCaseOrThrow } from '../../cases/service.js'
import { getCustomer } from '../../customers/service.js'
import type { Db } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { convertMoney } from '../../merchants/convert-money.js'
import { getShipment } from '../../shipments/service.js'
import * as store from '../store.js'
import type { ConditionDefinition, PolicyDefinition } from '../types.js'

type CaseRow = Awaited<ReturnType<typeof findCaseOrThrow>>

export type ConditionResult = { field: string; op: string; matched: boolean; actual: unknown }
export type Tried = { policy_id: string; name: string; matched: boolean; conditions: ConditionResult[] }
export type Match = {
  policy_id: string
  policy_name: string
  policy_version: number
  definition: PolicyDefinition
  tried: Tried[]
}

/** A case's facts the conditions read; the customer's segment and the shipment's service only when asked. */
function caseFacts(db: Db, row: CaseRow) {
  const lazy = <T>(get: () => Promise<T>) => {
    let p: Promise<T> | undefined
    return () => (p ??= get())
  }
  const segment = lazy(async () =>
    row.customer_id
      ? ((await getCustomer(db, row.merchant_id, row.customer_id).catch(() => null))?.segment ?? null)
      : null,
  )
  const service = lazy(async () =>
    row.shipment_id
      ? ((await getShipment(db, row.merchant_id, row.shipment_id).catch(() => null))?.service ?? null)
      : null,
  )
  return async (field: Exclude<ConditionDefinition['field'], 'value'>): Promise<string | null> => {
    switch (field) {
      case 'case_type':
        return row.type_key
      case 'channel':
        return row.channel
      case 'priority':
        return row.priority
      case 'customer_segment':
        return segment()
      case 'carrier':
        return row.carrier_code
      case 'service':
        return service()
      case 'fulfilment_centre':
        return row.fulfilment_centre
      case 'product_category':
        return row.product_category
      case 'sku':
        return row.product_sku
    }
  }
}

async function judge(db: Db, row: CaseRow, fact: ReturnType<typeof caseFacts>, c: ConditionDefinition) {
  if (c.field === 'value') {
    if (row.value_amount_minor === null || !row.value_currency)
      return { field: c.field, op: c.op, matched: false, actual: null }
    const value = { amountMinor: row.value_amount_minor, currency: row.value_currency }
    // Compared in the condition's currency at the rate of the day the case opened; no rate: the condition fails.
    const converted = await convertMoney(
      db,
      row.merchant_id,
      value,
      c.amount.currency,
      row.created_at.toISOString().slice(0, 10),
    ).catch((err) => {
      if (err instanceof AppError) return null
      throw err
    })
    const actual = { amount_minor: value.amountMinor, currency: value.currency }
    if (!converted) return { field: c.field, op: c.op, matched: false, actual }
    const gte = converted.amountMinor >= c.amount.amount_minor
    return { field: c.field, op: c.op, matched: c.op === 'gte' ? gte : !gte, actual }
  }
  const actual = await fact(c.field)
  const inList = actual !== null && c.values.includes(actual)
  return { field: c.field, op: c.op, matched: c.op === 'in' ? inList : !inList, actual }
}

/** The first live policy whose conditions all hold for the case (the fallback holds for all), and why. */
export async function matchPolicy(db: Db, merchantId: string, caseId: string): Promise<Match> {
  const row = await findCaseOrThrow(db, merchantId, caseId)
  return matchCase(db, row)
}

export async function matchCase(db: Db, row: CaseRow): Promise<Match> {
  const fact = caseFacts(db, row)
  const tried: Tried[] = []
  for (const p of await store.listLivePolicies(db, row.merchant_id)) {
    const conditions: ConditionResult[] = []
    for (const c of p.definition.conditions) {
      const r = await judge(db, row, fact, c)
      conditions.push(r)
    }
    const matched = conditions.every((c) => c.matched)
    tried.push({ policy_id: p.id, name: p.name, matched, conditions })
    if (matched)
      return { policy_id: p.id, policy_name: p.name, policy_version: p.version, definition: p.definition, tried }
  }
  // Only a workspace made before SLAs existed lacks the fallback: its first case since seeds the defaults.
  throw new AppError('sla_policy_not_found', 'No SLA policy applies: the workspace has no fallback policy', {
    case_id: row.id,
  })
}

export async function previewPolicy(db: Db, merchantId: string, caseId: string) {
  const m = await matchPolicy(db, merchantId, caseId)
  return {
    policy_id: m.policy_id,
    policy_name: m.policy_name,
    policy_version: m.policy_version,
    tier: m.definition.tier,
    tried: m.tried,
  }
}
