import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { recordAuditFor } from '../../changes.js'
import type { Db } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import * as store from '../store.js'

// What sending by SMS or WhatsApp needs to know of a customer (their number, zone, consent and opt-outs), and the
// opt-out a provider reports (Twilio's 21610: the recipient said STOP to this sender).

export type PhoneChannelName = 'sms' | 'whatsapp'

export type PhoneConsent = {
  customer_id: string
  phone: string | null
  time_zone: string | null
  consent: Record<PhoneChannelName, boolean>
  opted_out_at: Record<PhoneChannelName, Date | null>
}

/** The customer's phone consent (a merged customer answers for the one it was merged into). */
export async function findPhoneConsent(
  db: Db,
  merchantId: string,
  customerId: string,
): Promise<PhoneConsent | undefined> {
  let row = await store.findCustomer(db, merchantId, customerId)
  for (let hops = 0; row?.merged_into_id && hops < 5; hops++)
    row = await store.findCustomer(db, merchantId, row.merged_into_id)
  if (!row) return undefined
  return {
    customer_id: row.id,
    phone: row.phone,
    time_zone: row.time_zone,
    consent: { sms: row.consent_sms, whatsapp: row.consent_whatsapp },
    opted_out_at: { sms: row.sms_opted_out_at, whatsapp: row.whatsapp_opted_out_at },
  }
}

/**
 * The customer opted out of a channel (as the provider reports it): nothing goes to that channel until they opt in
 * again. Audited once; an opt-out already recorded stays as it was.
 */
export async function recordPhoneOptOut(
  trx: Transaction<Database>,
  ctx: ServiceContext,
  customerId: string,
  channel: PhoneChannelName,
  reason: string,
  now: Date,
): Promise<void> {
  const row = await store.lockCustomer(trx, ctx.merchantId, customerId)
  if (!row) throw new AppError('customer_not_found', 'No such customer', { customer_id: customerId })
  const column = channel === 'sms' ? 'sms_opted_out_at' : 'whatsapp_opted_out_at'
  if (row[column]) return
  await store.updateCustomer(trx, ctx.merchantId, customerId, { [column]: now, updated_at: now })
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'customer.opted_out',
      entityType: 'customer',
      entityId: customerId,
      before: { [column]: null },
      after: { [column]: now, channel, reason },
    },
    now,
  )
}
