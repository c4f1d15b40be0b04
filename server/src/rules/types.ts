// The rules module's shared shapes: the language (language/), the engine (engine/), the actions (actions/) and the
// API (routes.ts) all code against these. The plain ones live in model.ts, which tables.ts reads without a cycle.

import type { Transaction } from 'kysely'
import type { ServiceContext } from '../auth/actor.js'
import type { AppContext } from '../context.js'
import type { Database } from '../db/schema.js'
import type { DomainEvent } from '../jobs/events.js'
import type { ActionArgs, ActionName, ActionOutcome, ActionTarget, CompiledRule, DryRunReport, Facts } from './model.js'

export * from './model.js'

type Trx = Transaction<Database>

export type ActionRun = {
  trx: Trx
  /** Acting as the rule: audit entries say { type: 'rule', id: rule id } */
  ctx: ServiceContext
  app: AppContext
  /** The event's own time: a replayed history acts at the time it happened */
  now: Date
  event: DomainEvent | null
  facts: Facts
  target: ActionTarget
  rule: { id: string; version: number; name: string }
  /** The trigger occurrence (event id, or the clock action's key): idempotency keys of messages and requests */
  triggerKey: string
}

export type ActionHandler<N extends ActionName = ActionName> = (
  run: ActionRun,
  args: ActionArgs[N],
) => Promise<ActionOutcome>

/** The dry run the engine offers the API and the CLI (engine/dry-run.ts). */
export type DryRun = (
  app: AppContext,
  merchantId: string,
  compiled: CompiledRule,
  range: { from: Date; to: Date; limit?: number },
) => Promise<DryRunReport>
