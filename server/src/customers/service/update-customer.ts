import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import * as store from '../store.js'
import type { Customer, CustomerPatch } from '../types.js'
import { normalisePhone } from './customer-fields.js'
import { applyUpdate } from './upsert-customer.js'

type Trx = Transaction<Database>

export async function updateCustomer(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  input: CustomerPatch,
  now: Date,
): Promise<Customer> {
  const { merchantId } = ctx
  const row = await store.lockCustomer(trx, merchantId, id)
  if (!row) throw new AppError('customer_not_found', 'No such customer', { customer_id: id })
  if (row.merged_into_id)
    throw new AppError('customer_merged', 'This customer was merged into another; change that one', {
      merged_into_id: row.merged_into_id,
    })
  const phone = input.phone === undefined ? undefined : normalisePhone(input.phone)
  return (await applyUpdate(trx, ctx, row, { ...input, phone, source: 'api' }, now)).customer
}
