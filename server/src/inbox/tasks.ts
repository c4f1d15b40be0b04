import type { AppContext } from '../context.js'
import type { JobHandler } from '../modules.js'
import * as service from './service.js'

const processedCounter = (ctx: AppContext) =>
  ctx.metrics.counter('webhook_deliveries_processed_total', 'Inbound webhook processing runs by outcome (processed, ignored, failed, dead)', ['source', 'provider', 'outcome'])

const lagHistogram = (ctx: AppContext) =>
  ctx.metrics.histogram('webhook_processing_lag_seconds', 'From a webhook\'s arrival to the end of its processing', ['source', 'provider'],
    [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300])

async function processAndCount(ctx: AppContext, merchantId: string, deliveryId: string): Promise<void> {
  const outcome = await ctx.db.transaction().execute((trx) => service.processDelivery(trx, ctx, merchantId, deliveryId, new Date()))
  if (outcome.status === 'skipped') return
  processedCounter(ctx).inc({ source: outcome.source, provider: outcome.provider, outcome: outcome.status })
  lagHistogram(ctx).observe({ source: outcome.source, provider: outcome.provider }, (Date.now() - outcome.receivedAt!.getTime()) / 1000)
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
    const failed = await ctx.db.transaction().execute((trx) => service.recordProcessingFailure(trx, merchantId, deliveryId, err, dead))
    if (failed) processedCounter(ctx).inc({ source: failed.source, provider: failed.provider, outcome: dead ? 'dead' : 'failed' })
    ctx.log.warn({ err, delivery_id: deliveryId, attempt: job.attempts, max_attempts: job.maxAttempts }, dead ? 'webhook delivery dead-lettered' : 'webhook delivery failed; will retry')
    if (!dead) throw err
  }
}

/**
 * `inbox:process-batch`: the deliveries one group commit stored, processed one by one, each in its own
 * transaction. It spares the acknowledgement one job insert per webhook. A delivery that fails here
 * gets its own `inbox:process` job with the attempts it has left, so retries, backoff and the
 * dead-letter list work as for any delivery; one that is settled already (a rerun after a crash) is skipped.
 */
export const processBatchTask: JobHandler = async (payload, ctx) => {
  for (const [merchantId, deliveryId] of payload.deliveries as [string, string][]) {
    try {
      await processAndCount(ctx, merchantId, deliveryId)
    } catch (err) {
      const retry = await ctx.db.transaction().execute((trx) => service.retryAfterFirstFailure(trx, merchantId, deliveryId, err))
      if (retry) processedCounter(ctx).inc({ source: retry.source, provider: retry.provider, outcome: retry.dead ? 'dead' : 'failed' })
      ctx.log.warn({ err, delivery_id: deliveryId, attempt: 1 }, retry?.dead ? 'webhook delivery dead-lettered' : 'webhook delivery failed; will retry')
    }
  }
}
