import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { recordChange } from '../../changes.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import * as store from '../store.js'
import { summary } from './shipment-fields.js'

type Trx = Transaction<Database>

export async function deleteShipment(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<void> {
  const { merchantId } = ctx
  const row = await store.lockShipment(trx, merchantId, id)
  if (!row) throw new AppError('shipment_not_found', 'No such shipment', { shipment_id: id })
  await store.deleteShipment(trx, merchantId, id)
  await recordChange(
    trx,
    ctx,
    { action: 'shipment.deleted', entityType: 'shipment', entityId: id, before: summary(row) },
    { order_id: row.order_id },
    now,
  )
}
