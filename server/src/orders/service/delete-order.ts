import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { recordChange } from '../../changes.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
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
  const before = { source: row.source, external_id: row.external_id, ...summary(row, -1) }
  await recordChange(
    trx,
    ctx,
    { action: 'order.deleted', entityType: 'order', entityId: id, before },
    { source: row.source, external_id: row.external_id },
    now,
  )
}
