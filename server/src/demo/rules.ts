import type { Transaction } from 'kysely'
import type { ServiceContext } from '../auth/actor.js'
import type { Database } from '../db/schema.js'
import { exampleRules } from '../rules/examples.js'
import { createRule } from '../rules/service/rules.js'

/**
 * Beside the default pack the workspace came with, the playbook's three rules, switched on before the history is
 * replayed: the engine runs them on each replayed event at its own time, so the demo cases carry their executions.
 */
export async function seedDemoRules(trx: Transaction<Database>, ctx: ServiceContext, now: Date): Promise<void> {
  for (const r of exampleRules)
    await createRule(trx, ctx, { name: r.name, description: r.description, source: r.source, mode: 'active' }, now)
}
