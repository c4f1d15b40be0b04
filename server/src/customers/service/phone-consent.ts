import type { ServiceContext } from '../../auth/actor.js'
import type { Db, Trx } from '../../db/owned.js'
import * as store from '../store.js'
import { toCustomer, type Customer } from '../types.js'
import { recordCustomerUpdate } from './customer-fields.js'
import { findSurvivorRow, lockSurvivorRow } from './survivor.js'

// A customer's consent on the phone channels, as their own messages set it: STOP opts out (consent false, the
// opt-out kept apart so nothing goes to them until START), START opts back in, and any other message they send on
// a channel is consent to be answered there, unless they opted out.

export type PhoneChannel = 'sms' | 'whatsapp'

const columns = {
  sms: { consent: 'consent_sms', optedOut: 'sms_opted_out_at' },
  whatsapp: { consent: 'consent_whatsapp', optedOut: 'whatsapp_opted_out_at' },
} as const

export type PhoneConsent = {
  customer_id: string
  phone: string | null
  time_zone: string | null
  consent: Record<PhoneChannel, boolean>
  opted_out_at: Record<PhoneChannel, Date | null>
}

/** What sending by SMS or WhatsApp needs to know of a customer (a merged one answers for its survivor). */
export async function findPhoneConsent(
  db: Db,
  merchantId: string,
  customerId: string,
): Promise<PhoneConsent | undefined> {
  const row = await findSurvivorRow(db, merchantId, customerId)
  if (!row) return undefined
  return {
    customer_id: row.id,
    phone: row.phone,
    time_zone: row.time_zone,
    consent: { sms: row.consent_sms, whatsapp: row.consent_whatsapp },
    opted_out_at: { sms: row.sms_opted_out_at, whatsapp: row.whatsapp_opted_out_at },
  }
}

/** The live customer with this E.164 phone (a merged one's survivor), oldest first; undefined when none. */
export async function findCustomerByPhone(db: Db, merchantId: string, phone: string): Promise<Customer | undefined> {
  const found = await store.findByContact(db, merchantId, { phone })
  const row = found && (await store.findCustomer(db, merchantId, found.id))
  return row ? toCustomer(row) : undefined
}

type Patch = { consent: boolean; optedOutAt: Date | null }

type Change = 'opt_out' | 'opt_in' | 'implied'

/** What a change makes of the customer's consent on the channel; null for nothing (implied while opted out). */
function nextConsent(change: Change, optedOutAt: Date | null, now: Date): Patch | null {
  if (change === 'opt_out') return { consent: false, optedOutAt: optedOutAt ?? now }
  if (change === 'opt_in') return { consent: true, optedOutAt: null }
  return optedOutAt ? null : { consent: true, optedOutAt: null }
}

async function applyPhoneConsent(
  trx: Trx,
  ctx: ServiceContext,
  customerId: string,
  channel: PhoneChannel,
  change: Change,
  now: Date,
): Promise<{ changed: boolean }> {
  const row = await lockSurvivorRow(trx, ctx.merchantId, customerId)
  if (!row) return { changed: false }
  const c = columns[channel]
  const patch = nextConsent(change, row[c.optedOut], now)
  if (!patch || (row[c.consent] === patch.consent && (row[c.optedOut] === null) === (patch.optedOutAt === null)))
    return { changed: false }
  await store.updateCustomer(trx, ctx.merchantId, row.id, {
    [c.consent]: patch.consent,
    [c.optedOut]: patch.optedOutAt,
    updated_at: now,
  })
  const before = { [c.consent]: row[c.consent], [c.optedOut]: row[c.optedOut] }
  const after = { [c.consent]: patch.consent, [c.optedOut]: patch.optedOutAt }
  await recordCustomerUpdate(trx, ctx, row.id, { before, after, fields: [c.consent, c.optedOut] }, now)
  return { changed: true }
}

/**
 * Opts the customer out of a phone channel (STOP, or the provider refusing to deliver to them) or back in (START):
 * out sets the channel's opted-out time (kept when already set) and withdraws consent; in clears it and gives
 * consent. Audited as a customer update; a customer already so is left alone.
 */
export const setPhoneOptOut = (
  trx: Trx,
  ctx: ServiceContext,
  customerId: string,
  channel: PhoneChannel,
  optedOut: boolean,
  now: Date,
) => applyPhoneConsent(trx, ctx, customerId, channel, optedOut ? 'opt_out' : 'opt_in', now)

/** A message from the customer on a channel is consent to be answered on it, unless they opted out of it. */
export const recordImpliedPhoneConsent = (
  trx: Trx,
  ctx: ServiceContext,
  customerId: string,
  channel: PhoneChannel,
  now: Date,
) => applyPhoneConsent(trx, ctx, customerId, channel, 'implied', now)
