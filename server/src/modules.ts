import type { FastifyPluginAsync } from 'fastify'
import type { Command } from 'commander'
import type { Transaction } from 'kysely'
import type { AppContext } from './context.js'
import type { Db } from './db/owned.js'
import type { Database } from './db/schema.js'
import type { BlobHoldCheck } from './files/guarded-store.js'
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

/** What a retention purge judges of a case: its records go, a legal hold keeps them, or they are not old enough. */
export type CaseVerdict = 'purge' | 'held' | 'keep'

/**
 * One batch of a retention purge, handed by the retention run (retention/service/purge.ts) to the module that owns
 * the records. The module finds up to `limit` candidates past `cutoff` after `cursor`, asks `judgeCases` of their
 * cases, and purges (unless `dryRun`) only those judged 'purge', in one short transaction.
 */
export type PurgeBatch = {
  merchantId: string
  /** The policy's scope (an evidence type key), or '' for the kind's records no scoped policy names */
  scope: string
  /** The scopes other policies of this kind name: a '' batch leaves their records alone */
  otherScopes: readonly string[]
  after: 'created' | 'case_closed'
  /** Created before this (for `after: 'created'`), or on a case closed before it (`case_closed`) */
  cutoff: Date
  limit: number
  /** Where the previous batch stopped (the purger's own value); null at the start */
  cursor: string | null
  dryRun: boolean
  now: Date
  /** Each case's verdict: 'held' under a legal hold (the case or its customer), 'keep' when not old enough */
  judgeCases: (db: Db, caseIds: string[]) => Promise<Map<string, CaseVerdict>>
}
/** What one batch removed (ids, or would have in a dry run), kept for a hold, and where it stopped (null: done). */
export type PurgeResult = { removed: string[]; held: number; cursor: string | null }
/** A module's purge of its records of one retention kind ('evidence', 'message_bodies', 'customer_data'). */
export type Purger = { kind: string; purge: (ctx: AppContext, batch: PurgeBatch) => Promise<PurgeResult> }

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
  /** Retention purgers of this module's records (retention runs them per the workspace's policies). */
  purgers?: Purger[]
  /** Whether a file (by blob key) belongs to a record under legal hold: the file store then refuses to delete it. */
  blobHolds?: BlobHoldCheck
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
