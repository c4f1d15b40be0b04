import type { Transaction } from 'kysely'
import { systemContext } from './auth/actor.js'
import type { Database } from './db/schema.js'
import { createMerchant, type CreateMerchantInput, type Merchant } from './merchants/service.js'
import { seedDefaultTemplates } from './messaging/templates/service.js'
import { seedBuiltinRoles } from './roles/service.js'
import { ensureDefaultRules } from './rules/default-pack.js'
import { seedDefaultPolicies } from './sla/policies/defaults.js'
import { createTeam, defaultTeams } from './teams/service.js'

/**
 * A new workspace: the merchant, its five built-in roles, the three starting teams, the default message templates, the default SLA tiers and the default automation rules (which name those teams and templates). Composed here, above the
 * modules, because roles and teams build on merchants (currencies, exchange rates) and cannot be called back by it.
 */
export async function createWorkspace(
  trx: Transaction<Database>,
  input: CreateMerchantInput,
  now: Date,
): Promise<{ merchant: Merchant; roleIds: Record<string, string> }> {
  const merchant = await createMerchant(trx, input, now)
  const ctx = systemContext(merchant.id)
  const roleIds = await seedBuiltinRoles(trx, ctx, now)
  for (const team of defaultTeams) await createTeam(trx, ctx, team, now)
  await seedDefaultTemplates(trx, merchant.id, now)
  await seedDefaultPolicies(trx, merchant.id, merchant.default_currency, now)
  await ensureDefaultRules(trx, merchant.id, now)
  return { merchant, roleIds }
}
