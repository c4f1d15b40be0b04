import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { recordChange } from '../../changes.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import * as store from '../store.js'
import { toCustomer, type Customer } from '../types.js'
import { personal, snapshot } from './customer-fields.js'

type Trx = Transaction<Database>

/** What an erasure does when something keeps the customer (a legal hold): refuse it, or defer it until released. */
export type ErasureOptions = { whenHeld: 'refuse' | 'defer'; source: string }

/**
 * Asked before a customer's erasure, in its transaction: 'erase', 'deferred' (recorded, carried out later), or it
 * throws the refusal. Retention registers the legal-hold check (customers cannot import it: retention reads cases,
 * which read customers).
 */
export type ErasureGuard = (
  trx: Trx,
  ctx: ServiceContext,
  customerId: string,
  opts: ErasureOptions,
  now: Date,
) => Promise<'erase' | 'deferred'>

let guards: readonly ErasureGuard[] = []
export function useErasureGuards(list: readonly ErasureGuard[]): void {
  guards = list
}

/**
 * Erasure (GDPR, Shopify's customers/redact): personal fields go; ids, orders and the audit trail stay. A held
 * customer's erasure is refused (409 legal_hold), or with `whenHeld: 'defer'` recorded and left as it is.
 */
export async function redactCustomer(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  now: Date,
  opts: ErasureOptions = { whenHeld: 'refuse', source: 'api' },
): Promise<Customer> {
  const { merchantId } = ctx
  const row = await store.lockCustomer(trx, merchantId, id)
  if (!row) throw new AppError('customer_not_found', 'No such customer', { customer_id: id })
  if (row.redacted_at) return toCustomer(row)
  for (const guard of guards)
    if ((await guard(trx, ctx, id, opts, now)) === 'deferred')
      return toCustomer(row, await store.listExternalIds(trx, merchantId, [id]))
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
