import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { recordAuditFor } from '../../changes.js'
import type { Db } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import * as store from './store.js'

// A workspace's phone settings: quiet hours (non-urgent SMS and WhatsApp wait for their end in the customer's
// zone) and the order in which automatic messages try channels.

export const automaticChannels = ['whatsapp', 'sms', 'email'] as const
export type AutomaticChannel = (typeof automaticChannels)[number]

export type PhoneSettings = {
  quiet_hours: { enabled: boolean; start: string; end: string }
  channel_order: AutomaticChannel[]
  updated_at: Date | null
}

export type PhoneSettingsInput = {
  quiet_hours?: Partial<PhoneSettings['quiet_hours']>
  channel_order?: AutomaticChannel[]
}

const hhmm = (t: string) => t.slice(0, 5)

export async function getPhoneSettings(db: Db, merchantId: string): Promise<PhoneSettings> {
  const row = await store.findPhoneSettings(db, merchantId)
  if (!row)
    return {
      quiet_hours: { enabled: true, start: '21:00', end: '08:00' },
      channel_order: [...automaticChannels],
      updated_at: null,
    }
  return {
    quiet_hours: {
      enabled: row.quiet_hours_enabled,
      start: hhmm(row.quiet_hours_start),
      end: hhmm(row.quiet_hours_end),
    },
    channel_order: row.channel_order.filter((c): c is AutomaticChannel =>
      (automaticChannels as readonly string[]).includes(c),
    ),
    updated_at: row.updated_at,
  }
}

export async function updatePhoneSettings(
  trx: Transaction<Database>,
  ctx: ServiceContext,
  input: PhoneSettingsInput,
  now: Date,
): Promise<PhoneSettings> {
  const before = await getPhoneSettings(trx, ctx.merchantId)
  const quiet = { ...before.quiet_hours, ...input.quiet_hours }
  const order = input.channel_order ?? before.channel_order
  if (new Set(order).size !== order.length)
    throw new AppError('validation_failed', 'Name each channel once', {
      errors: [{ path: 'body/channel_order', message: 'each channel at most once' }],
    })
  await store.upsertPhoneSettings(trx, {
    merchant_id: ctx.merchantId,
    quiet_hours_enabled: quiet.enabled,
    quiet_hours_start: quiet.start,
    quiet_hours_end: quiet.end,
    channel_order: order,
    updated_at: now,
  })
  const after = await getPhoneSettings(trx, ctx.merchantId)
  const { updated_at: _b, ...was } = before
  const { updated_at: _a, ...is } = after
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'phone_settings.updated',
      entityType: 'phone_settings',
      entityId: ctx.merchantId,
      before: was,
      after: is,
    },
    now,
  )
  return after
}
