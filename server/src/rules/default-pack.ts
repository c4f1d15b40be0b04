import { systemContext } from '../auth/actor.js'
import { ensureDefaultCaseTypes } from '../cases/service.js'
import type { Trx } from '../db/owned.js'
import { AppError } from '../errors.js'
import { createRule } from './service/rules.js'
import * as store from './store.js'
import type { RuleMode } from './types.js'

export type PackRule = { name: string; description: string; priority: number; mode: RuleMode; source: string }

/** What a new workspace runs with zero configuration: editable rules like any other, marked pack 'default'. */
export const defaultPack: PackRule[] = [
  {
    name: 'Acknowledge exception cases',
    description: 'The customer hears from us as soon as a carrier exception opens a case.',
    priority: 10,
    mode: 'active',
    source:
      "IF event = 'case.opened' AND channel = 'carrier' AND case_type IN ('Lost Parcel', 'Damaged', 'Late Delivery', " +
      "'Undeliverable') THEN send_template('Acknowledgement') TO customer.",
  },
  {
    name: 'Route customs and freight carriers',
    description: 'Customs holds and express freight carriers go to Logistics Ops, to whoever has the fewest cases.',
    priority: 20,
    mode: 'active',
    source:
      "IF channel = 'carrier' AND (case_type = 'Customs Hold' OR carrier IN ('DHL Express', 'FedEx', 'UPS')) " +
      "THEN assign(team='Logistics Ops', strategy='least_loaded').",
  },
  {
    name: 'Route high-value electronics',
    description: 'Electronics worth more than 250 GBP go to the HighValue team in turn.',
    priority: 30,
    mode: 'active',
    source:
      "IF product_category = 'electronics' AND value > 250 GBP THEN assign(team='HighValue', strategy='round_robin').",
  },
  {
    name: 'Carrier connection alert',
    description: 'Logistics Ops hears when a carrier connection stops delivering tracking updates.',
    priority: 40,
    mode: 'active',
    source: "IF connection_status = 'unhealthy' THEN notify(team='Logistics Ops').",
  },
  {
    name: 'Customs hold: open and tell the customer',
    description:
      'A parcel held by customs opens a high-priority case with a 48 h SLA; the customer gets SMS and email.',
    priority: 50,
    mode: 'active',
    source:
      "IF carrier_event = 'Delayed - Customs' THEN create_case(type='Customs Hold', priority='High') AND set_SLA(48h) " +
      "AND send_template('Customs hold') TO customer VIA sms, email.",
  },
  {
    name: 'Customs hold: escalate after 24 h without news',
    description:
      'No carrier update for a day: escalate to Logistics Ops and check the evidence a carrier claim needs ' +
      '(commercial invoice, customs paperwork), generating and requesting what is missing.',
    priority: 60,
    mode: 'active',
    source:
      "IF case_type = 'Customs Hold' AND time_since_carrier_update >= 24h THEN escalate(team='Logistics Ops') " +
      "AND check_evidence('carrier_claim').",
  },
]

export type SeedResult = {
  created: string[]
  /** Rules of the pack this workspace cannot run as written (a renamed team, a rule of that name already) */
  skipped: { name: string; reason: string; details?: Record<string, unknown> }[]
}

/**
 * Writes the default pack once per workspace (rule_settings.seeded_at): at creation, and lazily for workspaces
 * older than the rules module. A rule that does not compile here is skipped and reported, never half-written.
 */
export async function ensureDefaultRules(trx: Trx, merchantId: string, now: Date): Promise<SeedResult> {
  const result: SeedResult = { created: [], skipped: [] }
  if (!(await store.claimSeeding(trx, merchantId, now))) return result
  // The pack names case types, which a workspace gets on first use of cases.
  await ensureDefaultCaseTypes(trx, merchantId, now)
  const ctx = systemContext(merchantId, 'default rules')
  for (const r of defaultPack) {
    try {
      const { name, description, priority, mode, source } = r
      await createRule(trx, ctx, { name, description, priority, mode, source, pack: 'default' }, now)
      result.created.push(r.name)
    } catch (err) {
      if (!(err instanceof AppError) || (err.code !== 'rule_invalid' && err.code !== 'rule_name_taken')) throw err
      result.skipped.push({ name: r.name, reason: err.message, ...(err.details ? { details: err.details } : {}) })
    }
  }
  return result
}
