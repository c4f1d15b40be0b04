import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { convertMinor, type Money } from '../money.js'
import * as store from './store.js'

// Conversion with the workspace's manual exchange rates, for the amount bounds of permissions (limits.ts) and the
// workspace's own views of its rates.

type Db = Kysely<Database> | Transaction<Database>

export const normaliseDecimal = (d: string) => (d.includes('.') ? d.replace(/0+$/, '').replace(/\.$/, '') : d)

/**
 * Converts with the latest manual rate effective on `on` (YYYY-MM-DD), direct or inverse.
 * Used wherever amounts in different currencies are compared (rules, SLA value bands, approval limits).
 */
export async function convertMoney(db: Db, merchantId: string, money: Money, to: string, on: string): Promise<Money> {
  if (money.currency === to) return money
  const [currencies, direct] = await Promise.all([
    store.findCurrencies(db, [money.currency, to]),
    store.findRateOn(db, merchantId, money.currency, to, on),
  ])
  const exp = (c: string) => currencies.find((x) => x.code === c)?.exponent
  const fromExp = exp(money.currency)
  const toExp = exp(to)
  if (fromExp === undefined || toExp === undefined)
    throw new AppError('currency_unknown', 'Unknown currency', { currencies: [money.currency, to] })
  if (direct)
    return { amountMinor: convertMinor(money.amountMinor, fromExp, toExp, normaliseDecimal(direct.rate)), currency: to }
  const inverse = await store.findRateOn(db, merchantId, to, money.currency, on)
  if (inverse)
    return {
      amountMinor: convertMinor(money.amountMinor, fromExp, toExp, normaliseDecimal(inverse.rate), true),
      currency: to,
    }
  throw new AppError('exchange_rate_missing', `No ${money.currency}/${to} exchange rate on or before ${on}`, {
    base_currency: money.currency,
    quote_currency: to,
    on,
  })
}
