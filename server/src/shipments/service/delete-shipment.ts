import type { Transaction } from 'kysely'
import { recordAudit, type AuditActor } from '../../audit/service.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { enqueueEvent } from '../../jobs/outbox.js'
import * as store from '../store.js'
import { summary } from './shipment-fields.js'

type Trx = Transaction<Database>

export async function deleteShipment(
  trx: Trx,
  merchantId: string,
  actor: AuditActor,
  id: string,
  now: Date,
  requestId?: string | null,
): Promise<void> {
  const row = await store.lockShipment(trx, merchantId, id)
  if (!row) throw new AppError('shipment_not_found', 'No such shipment', { shipment_id: id })
  await store.deleteShipment(trx, merchantId, id)
  await recordAudit(
    trx,
    {
      merchantId,
      actor,
      action: 'shipment.deleted',
      entityType: 'shipment',
      entityId: id,
      before: summary(row),
      requestId,
    },
    now,
  )
  await enqueueEvent(trx, {
    merchant_id: merchantId,
    type: 'shipment.deleted',
    subject_id: id,
    occurred_at: now,
    data: { order_id: row.order_id },
  })
}
