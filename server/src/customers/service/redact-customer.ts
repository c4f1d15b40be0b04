import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { recordChange } from '../../changes.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import * as store from '../store.js'
import { toCustomer, type Customer } from '../types.js'
import { personal, snapshot } from './customer-fields.js'

type Trx = Transaction<Database>

/** Erasure (GDPR, Shopify's customers/redact): personal fields go; ids, orders and the audit trail stay. */
export async function redactCustomer(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<Customer> {
  const { merchantId } = ctx
  const row = await store.lockCustomer(trx, merchantId, id)
  if (!row) throw new AppError('customer_not_found', 'No such customer', { customer_id: id })
  if (row.redacted_at) return toCustomer(row)
  const updated = await store.updateCustomer(trx, merchantId, id, {
    name: null,
    email: null,
    phone: null,
    locale: null,
    time_zone: null,
    consent_email: false,
    consent_sms: false,
    consent_whatsapp: false,
    redacted_at: now,
    updated_at: now,
  })
  const change = { entityType: 'customer', entityId: id, before: snapshot(row), after: snapshot(updated), personal }
  await recordChange(trx, ctx, { ...change, action: 'customer.redacted' }, {}, now)
  return toCustomer(updated, await store.listExternalIds(trx, merchantId, [id]))
}
