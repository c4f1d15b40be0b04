import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import type { Money } from '../money.js'
import type { Actor } from '../auth/actor.js'
import type { Grant, Permission } from '../auth/permissions.js'
import { convertMoney } from './convert-money.js'

type Db = Kysely<Database> | Transaction<Database>

/** The day whose exchange rates apply at `now` (rates are dated by UTC day). */
export const rateDay = (now: Date): string => now.toISOString().slice(0, 10)

/**
 * Checks an amount against the bound a permission carries ("approve refunds up to 200 GBP"),
 * converting with the workspace's rate on `on` when the currencies differ. No bound: any amount.
 */
export async function assertWithinLimit(
  db: Db,
  actor: Actor,
  permission: Permission,
  amount: Money,
  on: string,
): Promise<void> {
  const grant = actor.grants.get(permission)
  if (!grant) throw new AppError('forbidden', `This needs the ${permission} permission`, { permission })
  if (!grant.limit) return
  const inLimitCurrency = await convertMoney(db, actor.merchantId, amount, grant.limit.currency, on)
  if (inLimitCurrency.amountMinor > grant.limit.amountMinor) {
    throw new AppError(
      'limit_exceeded',
      `Your role may ${permission} up to ${grant.limit.amountMinor} ${grant.limit.currency} (minor units)`,
      {
        permission,
        limit_amount_minor: grant.limit.amountMinor,
        limit_currency: grant.limit.currency,
        amount_minor: amount.amountMinor,
        currency: amount.currency,
      },
    )
  }
}

/**
 * Refuses unless `actor` holds every one of `grants` with at least as wide a bound. Nobody hands out power they
 * lack (in a role, a key, a person's role), nor acts on someone holding more (revoking a key, changing a person).
 */
export async function assertCoversGrants(db: Db, actor: Actor, grants: Iterable<Grant>, on: string): Promise<void> {
  const wanted = [...grants]
  const missing = wanted.filter((g) => !actor.grants.has(g.permission)).map((g) => g.permission)
  if (missing.length)
    throw new AppError('forbidden', 'This needs permissions you do not hold', { permissions: missing })
  for (const g of wanted) {
    const own = actor.grants.get(g.permission)!.limit
    if (!own) continue
    if (!g.limit) {
      throw new AppError(
        'limit_exceeded',
        `Your role may ${g.permission} only up to ${own.amountMinor} ${own.currency} (minor units); this needs it without a bound`,
        {
          permission: g.permission,
          limit_amount_minor: own.amountMinor,
          limit_currency: own.currency,
        },
      )
    }
    await assertWithinLimit(db, actor, g.permission, g.limit, on)
  }
}
