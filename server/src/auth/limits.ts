import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { convertMoney } from '../merchants/service.js'
import type { Money } from '../money.js'
import type { Actor } from './actor.js'
import type { Permission } from './permissions.js'

/**
 * Checks an amount against the bound a permission carries ("approve refunds up to 200 GBP"),
 * converting with the workspace's rate on `on` when the currencies differ. No bound: any amount.
 */
export async function assertWithinLimit(db: Kysely<Database> | Transaction<Database>, actor: Actor, permission: Permission, amount: Money, on: string): Promise<void> {
  const grant = actor.grants.get(permission)
  if (!grant) throw new AppError('forbidden', 403, `This needs the ${permission} permission`, { permission })
  if (!grant.limit) return
  const inLimitCurrency = await convertMoney(db, actor.merchantId, amount, grant.limit.currency, on)
  if (inLimitCurrency.amountMinor > grant.limit.amountMinor) {
    throw new AppError('limit_exceeded', 403, `Your role may ${permission} up to ${grant.limit.amountMinor} ${grant.limit.currency} (minor units)`, {
      permission, limit_amount_minor: grant.limit.amountMinor, limit_currency: grant.limit.currency,
      amount_minor: amount.amountMinor, currency: amount.currency,
    })
  }
}
