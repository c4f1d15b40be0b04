import type { ServiceContext } from '../../auth/actor.js'
import { recordChange } from '../../changes.js'
import type { Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import type * as store from '../store.js'

// What every write of a customer shares: the personal fields audit entries reference by name, the
// snapshot they compare, and the one phone format.

export const personal = ['name', 'email', 'phone'] as const

/** Phone numbers are kept in E.164; common separators are stripped, anything else is refused. */
export function normalisePhone(phone: string | null | undefined): string | null {
  if (!phone) return null
  const compact = phone.replace(/[\s().-]/g, '').replace(/^00/, '+')
  if (!/^\+[1-9]\d{6,14}$/.test(compact))
    throw new AppError('phone_invalid', 'Phone numbers must be international (E.164), e.g. +447700900123', {
      phone,
    })
  return compact
}

// A customer created in bulk has not been asked for consent yet: the columns' defaults (false) hold.
export const snapshot = (c: store.NewCustomer & Partial<store.CustomerRow>) => ({
  name: c.name,
  email: c.email,
  phone: c.phone,
  locale: c.locale,
  time_zone: c.time_zone,
  segment: c.segment,
  consent_email: c.consent_email ?? false,
  consent_sms: c.consent_sms ?? false,
  consent_whatsapp: c.consent_whatsapp ?? false,
})

/** The audit entry and `customer.updated` event of a change to a customer: the fields it names, never their values. */
export function recordCustomerUpdate(
  trx: Trx,
  ctx: ServiceContext,
  customerId: string,
  change: { before: Record<string, unknown>; after: Record<string, unknown>; fields: string[] },
  now: Date,
): Promise<void> {
  const { before, after, fields } = change
  return recordChange(
    trx,
    ctx,
    { action: 'customer.updated', entityType: 'customer', entityId: customerId, before, after, personal },
    { fields },
    now,
  )
}
