import type { Transaction } from 'kysely'
import type { ServiceContext } from '../auth/actor.js'
import type { Database } from '../db/schema.js'
import { normalisePhone } from '../customers/service.js'
import { AppError } from '../errors.js'
import { listCurrencies } from '../merchants/service.js'
import { idOf } from './json.js'

/** The `source` of the customers, orders and shipments this provider writes. */
export const source = 'shopify'

/**
 * What every topic handler writes with: Claimdesk acting for the workspace under the request that stored the
 * delivery (the context the services take), and the delivery's transaction.
 */
export type ShopifyWrite = ServiceContext & { trx: Transaction<Database>; connectionId: string; now: Date }

// A body that lacks these can never be processed; the error leaves the delivery to its retries
// and then the dead-letter list, where it stays visible.

export function requireId(value: unknown, field: string): string {
  const id = idOf(value)
  if (id === null) throw new Error(`Shopify payload has no usable ${field}`)
  return id
}

export function instant(value: string | null | undefined, field: string): Date {
  const at = value ? new Date(value) : undefined
  if (!at || Number.isNaN(at.getTime())) throw new Error(`Shopify payload has no valid ${field}`)
  return at
}

export const optionalInstant = (value: string | null | undefined, field: string): Date | null =>
  value ? instant(value, field) : null

/** Minor-unit digits of the shop's currency, from the currencies table. */
export async function currencyExponent(w: ShopifyWrite, currency: string | null | undefined): Promise<number> {
  const exponent = (await listCurrencies(w.trx)).find((c) => c.code === currency)?.exponent
  if (exponent === undefined)
    throw new AppError('currency_unknown', 'Unknown ISO 4217 currency', { currencies: [currency ?? null] })
  return exponent
}

// Shopify keeps whatever the shopper typed ("555-625-1199"); a number that is not E.164 is
// dropped rather than failing the whole delivery.
export function usablePhone(phone: string | null | undefined): string | null {
  try {
    return normalisePhone(phone)
  } catch {
    return null
  }
}
