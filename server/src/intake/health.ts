import type { Kysely } from 'kysely'
import type { AppContext } from '../context.js'
import type { Database } from '../db/schema.js'
import { listAllActiveConnections } from '../integrations/service.js'
import { enqueueEvent } from '../jobs/outbox.js'
import * as store from './store.js'

// A connection's health: what arrived, what was refused before storage, what failed, and how far
// processing lags. Quiet or failing connections are announced once per episode (connection.unhealthy).

export type ConnectionHealth = {
  /** awaiting_first_event: nothing wrong, but nothing has arrived yet to show the provider is wired up */
  state: 'healthy' | 'unhealthy' | 'awaiting_first_event'
  reasons: string[]
  dead_letters: number
  p99_processing_lag_seconds: number | null
} & Pick<
  store.ConnectionStatsRow,
  | 'last_received_at'
  | 'last_processed_at'
  | 'deliveries_24h'
  | 'processed_24h'
  | 'ignored_24h'
  | 'waiting'
  | 'failing'
  | 'signature_failures_24h'
  | 'malformed_24h'
>

export type HealthThresholds = { quietHours: number; signatureFailuresPerHour: number }
const defaults: HealthThresholds = { quietHours: 24, signatureFailuresPerHour: 10 }

/** A connection's own limits (settings.quiet_hours, settings.signature_failures_per_hour), else the defaults. */
export function thresholdsOf(settings: Record<string, unknown>): HealthThresholds {
  const n = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : d)
  return {
    quietHours: n(settings.quiet_hours, defaults.quietHours),
    signatureFailuresPerHour: n(settings.signature_failures_per_hour, defaults.signatureFailuresPerHour),
  }
}

function judge(s: store.ConnectionStatsRow, createdAt: Date, t: HealthThresholds, now: Date): string[] {
  const reasons: string[] = []
  const quietSince = s.last_received_at ?? createdAt
  if (now.getTime() - quietSince.getTime() > t.quietHours * 3_600_000)
    reasons.push(`no webhook for more than ${t.quietHours} h`)
  if (s.signature_failures_1h >= t.signatureFailuresPerHour)
    reasons.push(`${s.signature_failures_1h} bad signatures in the last hour`)
  if (s.dead_1h > 0) reasons.push(`${s.dead_1h} deliveries dead-lettered in the last hour`)
  if (s.failing > 0) reasons.push(`${s.failing} deliveries failing and being retried`)
  return reasons
}

const view = (s: store.ConnectionStatsRow, reasons: string[]): ConnectionHealth => ({
  state: reasons.length ? 'unhealthy' : s.last_received_at ? 'healthy' : 'awaiting_first_event',
  reasons,
  last_received_at: s.last_received_at,
  last_processed_at: s.last_processed_at,
  deliveries_24h: s.deliveries_24h,
  processed_24h: s.processed_24h,
  ignored_24h: s.ignored_24h,
  waiting: s.waiting,
  failing: s.failing,
  dead_letters: s.dead,
  signature_failures_24h: s.signature_failures_24h,
  malformed_24h: s.malformed_24h,
  p99_processing_lag_seconds: s.p99_lag_seconds === null ? null : Math.round(Number(s.p99_lag_seconds) * 1000) / 1000,
})

export async function connectionHealth(
  db: Kysely<Database>,
  merchantId: string,
  connections: { id: string; created_at: Date; settings: Record<string, unknown> }[],
  now: Date,
): Promise<Map<string, ConnectionHealth>> {
  const stats = await store.connectionStats(
    db,
    merchantId,
    connections.map((c) => c.id),
    now,
  )
  const byId = new Map(connections.map((c) => [c.id, c]))
  return new Map(
    stats.map((s) => {
      const c = byId.get(s.connection_id)!
      return [s.connection_id, view(s, judge(s, c.created_at, thresholdsOf(c.settings), now))]
    }),
  )
}

/**
 * Counts refusals (bad signature, malformed body) in memory and writes them in one statement every
 * few seconds: a flood of forged requests costs no write each.
 */
export class RejectionCounter {
  private pending = new Map<
    string,
    { merchant_id: string; connection_id: string; hour: Date; reason: string; count: number }
  >()
  private timer: NodeJS.Timeout | undefined
  constructor(
    private db: Kysely<Database>,
    private log: AppContext['log'],
    private intervalMs = 2000,
  ) {}

  add(merchantId: string, connectionId: string, reason: string, now: Date) {
    const hour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000)
    const key = `${merchantId}/${connectionId}/${hour.getTime()}/${reason}`
    const row = this.pending.get(key)
    if (row) row.count++
    else this.pending.set(key, { merchant_id: merchantId, connection_id: connectionId, hour, reason, count: 1 })
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs)
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    const rows = [...this.pending.values()]
    this.pending.clear()
    try {
      await store.addRejections(this.db, rows)
    } catch (err) {
      this.log.warn({ err }, 'could not record webhook rejections')
    }
  }
}

/** `inbox:health` (cron): announces connections that turn unhealthy, and those that recover. */
export async function checkConnections(ctx: AppContext, now: Date): Promise<void> {
  const all = await listAllActiveConnections(ctx.db)
  const byMerchant = new Map<string, typeof all>()
  for (const c of all) byMerchant.set(c.merchantId, [...(byMerchant.get(c.merchantId) ?? []), c])
  for (const [merchantId, conns] of byMerchant) {
    const health = await connectionHealth(
      ctx.db,
      merchantId,
      conns.map((c) => ({ id: c.id, created_at: c.createdAt, settings: c.settings })),
      now,
    )
    for (const c of conns) {
      const h = health.get(c.id)!
      // Episodes are unhealthy or not: a connection's first event is no recovery.
      const state = h.state === 'unhealthy' ? 'unhealthy' : 'healthy'
      await ctx.db.transaction().execute(async (trx) => {
        const before = await store.findHealth(trx, merchantId, c.id)
        const changed = (before?.state ?? 'healthy') !== state
        await store.saveHealth(trx, {
          merchant_id: merchantId,
          connection_id: c.id,
          state,
          reasons: JSON.stringify(h.reasons),
          since: changed || !before ? now : before.since,
          checked_at: now,
        })
        if (!changed) return
        await enqueueEvent(trx, {
          merchant_id: merchantId,
          type: state === 'unhealthy' ? 'connection.unhealthy' : 'connection.recovered',
          subject_id: c.id,
          occurred_at: now,
          data: {
            connection_id: c.id,
            source: c.source,
            provider: c.provider,
            reasons: h.reasons,
            last_received_at: h.last_received_at?.toISOString() ?? null,
          },
        })
      })
    }
  }
}
