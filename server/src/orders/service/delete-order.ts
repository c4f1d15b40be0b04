import type { Transaction } from 'kysely'
import { recordAudit } from '../../audit/service.js'
import { auditActor, type ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { enqueueEvent } from '../../jobs/outbox.js'
import * as store from '../store.js'
import { summary } from './order-fields.js'

export async function deleteOrder(
  trx: Transaction<Database>,
  ctx: ServiceContext,
  id: string,
  now: Date,
): Promise<void> {
  const { merchantId } = ctx
  const row = await store.lockOrder(trx, merchantId, id)
  if (!row) throw new AppError('order_not_found', 'No such order', { order_id: id })
  await store.deleteOrder(trx, merchantId, id)
  await recordAudit(
    trx,
    {
      merchantId,
      actor: auditActor(ctx.actor),
      action: 'order.deleted',
      entityType: 'order',
      entityId: id,
      before: { source: row.source, external_id: row.external_id, ...summary(row, -1) },
      requestId: ctx.requestId,
    },
    now,
  )
  await enqueueEvent(trx, {
    merchant_id: merchantId,
    type: 'order.deleted',
    subject_id: id,
    occurred_at: now,
    data: { source: row.source, external_id: row.external_id },
  })
}
