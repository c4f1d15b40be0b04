import type { AppContext } from '../context.js'
import type { Drain, JobHandler } from '../modules.js'
import * as service from './service.js'

const processedCounter = (ctx: AppContext) =>
  ctx.metrics.counter(
    'webhook_deliveries_processed_total',
    'Inbound webhook processing runs by outcome (processed, ignored, failed, dead)',
    ['source', 'provider', 'outcome'],
  )

const lagHistogram = (ctx: AppContext) =>
  ctx.metrics.histogram(
    'webhook_processing_lag_seconds',
    "From a webhook's arrival to the end of its processing",
    ['source', 'provider'],
    [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  )

/** Counts a settled processing run; the lag is observed for those that completed. */
function count(ctx: AppContext, o: { source: string; provider: string; status: string; receivedAt: Date }) {
  processedCounter(ctx).inc({ source: o.source, provider: o.provider, outcome: o.status })
  if (o.status === 'processed' || o.status === 'ignored')
    lagHistogram(ctx).observe({ source: o.source, provider: o.provider }, (Date.now() - o.receivedAt.getTime()) / 1000)
}

async function processAndCount(ctx: AppContext, merchantId: string, deliveryId: string): Promise<void> {
  const outcome = await ctx.db
    .transaction()
    .execute((trx) => service.processDelivery(trx, ctx, merchantId, deliveryId, new Date()))
  if (outcome.status !== 'skipped') count(ctx, outcome)
}

/**
 * `inbox:process`. A failure rolls the processing back, then a separate short transaction records
 * it; rethrowing lets graphile-worker retry with its exponential backoff. The last allowed attempt
 * dead-letters the delivery and ends the job (no rethrow): the deliveries table is the dead-letter
 * list, and a replay queues a fresh job.
 */
export const processDeliveryTask: JobHandler = async (payload, ctx, job) => {
  const merchantId = String(payload.merchant_id)
  const deliveryId = String(payload.delivery_id)
  try {
    await processAndCount(ctx, merchantId, deliveryId)
  } catch (err) {
    const dead = job.attempts >= job.maxAttempts
    const failed = await ctx.db
      .transaction()
      .execute((trx) => service.recordProcessingFailure(trx, merchantId, deliveryId, err, dead))
    if (failed)
      processedCounter(ctx).inc({ source: failed.source, provider: failed.provider, outcome: dead ? 'dead' : 'failed' })
    ctx.log.warn(
      { err, delivery_id: deliveryId, attempt: job.attempts, max_attempts: job.maxAttempts },
      dead ? 'webhook delivery dead-lettered' : 'webhook delivery failed; will retry',
    )
    if (!dead) throw err
  }
}

/**
 * The inbox drain: deliveries waiting to be processed, a batch per transaction (one commit for many
 * webhooks instead of a job each). A batch is tried all together first; if anything in it fails, it
 * runs again one by one, so only the failing delivery fails, and gets its own `inbox:process` job.
 */
export const waitingDeliveriesDrain: Drain = {
  name: 'inbox:waiting',
  batchSize: 20,
  concurrency: 2,
  async run(ctx, limit) {
    const batch = (mode: 'together' | 'one_by_one') =>
      ctx.db.transaction().execute((trx) => service.processWaiting(trx, ctx, limit, new Date(), mode))
    const outcomes = await batch('together').catch((err: unknown) => {
      ctx.log.debug({ err }, 'inbox batch failed as a whole; running it one by one')
      return batch('one_by_one')
    })
    for (const o of outcomes) {
      count(ctx, o)
      if (o.status === 'failed' || o.status === 'dead') {
        ctx.log.warn(
          { err: o.error, delivery_id: o.deliveryId, attempt: 1 },
          o.status === 'dead' ? 'webhook delivery dead-lettered' : 'webhook delivery failed; will retry',
        )
      }
    }
    return outcomes.length
  },
}
