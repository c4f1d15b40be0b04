import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../../auth/actor.js'
import { recordAuditFor } from '../../../changes.js'
import type { Config } from '../../../config.js'
import type { Database } from '../../../db/schema.js'
import type { Db } from '../../../db/owned.js'
import { getMerchant } from '../../../merchants/service.js'
import type { Brand } from '../../tables.js'
import * as store from '../store.js'

export type EmailSettings = {
  from_name: string
  from_address: string
  brands: Brand[]
  allowed_link_domains: string[]
  default_locale: string
  updated_at: Date | null
}

export type EmailSettingsInput = Partial<Omit<EmailSettings, 'updated_at'>>

/** The workspace's settings, or what it gets before anyone saved them: its brand name, support@ the reply domain. */
export async function getEmailSettings(
  db: Db,
  merchantId: string,
  config: Pick<Config, 'email'>,
): Promise<EmailSettings> {
  const row = await store.findEmailSettings(db, merchantId)
  if (row) {
    const { merchant_id: _, ...settings } = row
    return settings
  }
  const merchant = await getMerchant(db, merchantId)
  return {
    from_name: merchant.brand_name,
    from_address: `support@${config.email.inboundDomain}`,
    brands: [],
    allowed_link_domains: [],
    default_locale: 'en',
    updated_at: null,
  }
}

/** How mail leaves and finds its way back, from config: the DKIM domain and selector, never the key. */
export type MailSetup = {
  reply_domain: string
  reply_address: string
  mail_server: boolean
  dkim: { domain: string; selector: string } | null
}

export function mailSetup(config: Pick<Config, 'email' | 'smtpUrl'>): MailSetup {
  const { inboundDomain, dkim } = config.email
  return {
    reply_domain: inboundDomain,
    reply_address: `reply+<token>@${inboundDomain}`,
    mail_server: !!config.smtpUrl,
    dkim: dkim ? { domain: dkim.domainName, selector: dkim.keySelector } : null,
  }
}

const normaliseDomain = (d: string) => d.trim().toLowerCase().replace(/^\*\./, '').replace(/\.$/, '')

export async function updateEmailSettings(
  trx: Transaction<Database>,
  ctx: ServiceContext,
  input: EmailSettingsInput,
  config: Pick<Config, 'email'>,
  now: Date,
): Promise<EmailSettings> {
  const before = await getEmailSettings(trx, ctx.merchantId, config)
  const { updated_at: _, ...current } = before
  const next = {
    ...current,
    ...input,
    allowed_link_domains: [
      ...new Set((input.allowed_link_domains ?? current.allowed_link_domains).map(normaliseDomain)),
    ],
  }
  const values = { ...next, brands: JSON.stringify(next.brands), updated_at: now }
  const row = await store.upsertEmailSettings(trx, { merchant_id: ctx.merchantId, ...values }, values)
  const { merchant_id: _m, ...after } = row
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'email_settings.updated',
      entityType: 'email_settings',
      entityId: ctx.merchantId,
      before: current,
      after: next,
    },
    now,
  )
  return after
}
