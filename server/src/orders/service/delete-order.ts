import type { Transaction } from 'kysely'
import { recordAudit, type AuditActor } from '../../audit/service.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { enqueueEvent } from '../../jobs/outbox.js'
import * as store from '../store.js'
import { summary } from './order-fields.js'

export async function deleteOrder(
  trx: Transaction<Database>,
  merchantId: string,
  actor: AuditActor,
  id: string,
  now: Date,
  requestId?: string | null,
): Promise<void> {
  const row = await store.lockOrder(trx, merchantId, id)
  if (!row) throw new AppError('order_not_found', 'No such order', { order_id: id })
  await store.deleteOrder(trx, merchantId, id)
  await recordAudit(
    trx,
    {
      merchantId,
      actor,
      action: 'order.deleted',
      entityType: 'order',
      entityId: id,
      before: { source: row.source, external_id: row.external_id, ...summary(row, -1) },
      requestId,
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
