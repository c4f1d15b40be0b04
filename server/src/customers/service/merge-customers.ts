import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { recordAuditFor, recordChange } from '../../changes.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import * as store from '../store.js'
import { toCustomer, type Customer } from '../types.js'
import { personal, snapshot } from './customer-fields.js'

type Trx = Transaction<Database>

/**
 * Merges a duplicate into the survivor: the duplicate's source ids move over, its empty fields
 * fill the survivor's gaps, and the duplicate stays as a pointer so nothing that referred to it breaks.
 */
export async function mergeCustomers(
  trx: Trx,
  ctx: ServiceContext,
  survivorId: string,
  duplicateId: string,
  now: Date,
): Promise<Customer> {
  const { merchantId } = ctx
  if (survivorId === duplicateId) throw new AppError('customer_merge_self', 'A customer cannot be merged into itself')
  const [first, second] = [survivorId, duplicateId].sort() // lock in one order: two opposite merges cannot deadlock
  const locked = [await store.lockCustomer(trx, merchantId, first!), await store.lockCustomer(trx, merchantId, second!)]
  const survivor = locked.find((r) => r?.id === survivorId)
  const duplicate = locked.find((r) => r?.id === duplicateId)
  if (!survivor) throw new AppError('customer_not_found', 'No such customer', { customer_id: survivorId })
  if (!duplicate) throw new AppError('customer_not_found', 'No such customer', { customer_id: duplicateId })
  if (survivor.merged_into_id || duplicate.merged_into_id)
    throw new AppError('customer_merged', 'One of these customers was already merged', {
      customer_ids: [survivorId, duplicateId],
    })
  const fill = {
    ...(!survivor.name && duplicate.name ? { name: duplicate.name } : {}),
    ...(!survivor.email && duplicate.email ? { email: duplicate.email } : {}),
    ...(!survivor.phone && duplicate.phone ? { phone: duplicate.phone } : {}),
    ...(!survivor.locale && duplicate.locale ? { locale: duplicate.locale } : {}),
    ...(!survivor.time_zone && duplicate.time_zone ? { time_zone: duplicate.time_zone } : {}),
  }
  await store.moveExternalIds(trx, merchantId, duplicateId, survivorId)
  await store.repointMerged(trx, merchantId, duplicateId, survivorId)
  await store.updateCustomer(trx, merchantId, duplicateId, { merged_into_id: survivorId, updated_at: now })
  const updated = await store.updateCustomer(trx, merchantId, survivorId, { ...fill, updated_at: now })
  const merged = {
    action: 'customer.merged' as const,
    entityType: 'customer',
    entityId: survivorId,
    before: { ...snapshot(survivor), merged_from: null },
    after: { ...snapshot(updated), merged_from: duplicateId },
    personal,
  }
  await recordChange(trx, ctx, merged, { duplicate_id: duplicateId }, now)
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'customer.merged_into',
      entityType: 'customer',
      entityId: duplicateId,
      before: { merged_into_id: null },
      after: { merged_into_id: survivorId },
    },
    now,
  )
  return toCustomer(updated, await store.listExternalIds(trx, merchantId, [survivorId]))
}
