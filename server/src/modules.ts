import type { FastifyPluginAsync } from 'fastify'
import type { Command } from 'commander'
import type { Transaction } from 'kysely'
import type { AppContext } from './context.js'
import type { Database } from './db/schema.js'
import type { InboxProvider } from './integrations/providers.js'
import type { DomainEvent, EventDeclarations, EventType } from './jobs/events.js'

export type JobHandler = (
  payload: Record<string, unknown>,
  ctx: AppContext,
  job: { attempts: number; maxAttempts: number },
) => Promise<void>

/**
 * Reacts to domain events after they commit; must be idempotent (keyed on event.id). Declare one with
 * `consumer()`, so `handle` receives the payloads of exactly the `types` it names.
 */
export type EventConsumer<T extends EventType = EventType> = {
  name: string
  types: readonly T[] | '*'
  /**
   * Of those types, the events this consumer acts on, judged from the event alone (pure and cheap):
   * the relay queues no delivery for the others. Absent: every event of `types`.
   */
  accepts?(event: DomainEvent<NoInfer<T>>): boolean
  /**
   * Of the events `accepts` took in one relay batch, those still wanted, judged in the relay's transaction by one
   * query for the batch (e.g. only the event types some workspace's settings name): no delivery for the others.
   */
  narrow?(trx: Transaction<Database>, events: DomainEvent<NoInfer<T>>[]): Promise<DomainEvent<NoInfer<T>>[]>
  handle(event: DomainEvent<NoInfer<T>>, ctx: AppContext): Promise<void>
}

// A consumer of some types stands in the list of all (method syntax allows it): the relay hands it only those.
export const consumer = <T extends EventType>(c: EventConsumer<T>): EventConsumer => c

export type ScheduledAction = {
  merchantId: string
  id: string
  key: string
  task: string
  payload: Record<string, unknown>
  runAt: Date
}
/** Runs once, inside the transaction that marks the action fired. */
export type ClockHandler = (
  trx: Transaction<Database>,
  action: ScheduledAction,
  ctx: AppContext,
  now: Date,
) => Promise<void>

/**
 * Works through a backlog kept in a table (e.g. webhook deliveries waiting to be processed): `run` claims
 * up to `limit` items (FOR UPDATE SKIP LOCKED, so processes share the work), handles them in one
 * transaction and returns how many it claimed. Cheaper than a job per item when items arrive by thousands.
 */
export type Drain = {
  name: string
  batchSize: number
  concurrency?: number
  intervalMs?: number
  run: (ctx: AppContext, limit: number) => Promise<number>
}

/** One domain module's contributions; `registry.ts` lists them all. */
export type Module = {
  name: string
  /** Registered under /api/v1. */
  routes?: FastifyPluginAsync
  /** Registered at the root, for routes outside /api/v1 (webhooks, portal). */
  rootRoutes?: FastifyPluginAsync
  tasks?: Record<string, JobHandler>
  /** The domain events this module emits, with their payload schemas (the catalogue, docs/events.md, lists them). */
  events?: EventDeclarations
  consumers?: EventConsumer[]
  clockTasks?: Record<string, ClockHandler>
  /** Long-running loops started with the workers (e.g. the audit sequencer); each returns its stop function. */
  background?: ((ctx: AppContext) => () => Promise<void>)[]
  /** Backlogs worked through by the job workers (see Drain). */
  drains?: Drain[]
  /** Commands this module adds to `npx claimdesk`. */
  cli?: CliCommand
  /** graphile-worker crontab lines, e.g. "* * * * * audit:checkpoint" (task names are module:verb). */
  cron?: string[]
  /** Webhook providers this module brings (verified and stored by the inbox, then processed by the provider). */
  providers?: InboxProvider[]
  /** Case timeline entry types this module writes (`type` of a timeline entry: 'note', 'carrier_event', …). */
  timeline?: readonly string[]
  /** Those of `timeline` shown on the case but not what search finds it by (the system's own words: SLA steps). */
  unsearchedTimeline?: readonly string[]
  /** Runs once at start (buildApp, the workers, the CLI) with every module, e.g. to collect their `providers`. */
  setup?: (modules: readonly Module[]) => void
}

export function setupModules(modules: readonly Module[]): void {
  for (const m of modules) m.setup?.(modules)
}

export type CliTools = {
  withContext: <T>(fn: (ctx: AppContext) => Promise<T>) => Promise<T>
  resolveWorkspace: (ctx: AppContext, slug: string | undefined) => Promise<string>
  out: (line: string) => void
}

/** A module's commands (audit verify, replay-webhooks, …): adds them to the program. */
export type CliCommand = (program: Command, tools: CliTools) => void
