import type { Transaction } from 'kysely'
import { recordAudit } from '../../audit/service.js'
import { auditActor, type ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { enqueueEvent } from '../../jobs/outbox.js'
import * as store from '../store.js'
import { summary } from './shipment-fields.js'

type Trx = Transaction<Database>

export async function deleteShipment(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<void> {
  const { merchantId } = ctx
  const row = await store.lockShipment(trx, merchantId, id)
  if (!row) throw new AppError('shipment_not_found', 'No such shipment', { shipment_id: id })
  await store.deleteShipment(trx, merchantId, id)
  await recordAudit(
    trx,
    {
      merchantId,
      actor: auditActor(ctx.actor),
      action: 'shipment.deleted',
      entityType: 'shipment',
      entityId: id,
      before: summary(row),
      requestId: ctx.requestId,
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
