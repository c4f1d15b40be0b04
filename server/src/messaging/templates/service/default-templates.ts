import type { Transaction } from 'kysely'
import { systemContext } from '../../../auth/actor.js'
import { recordAuditFor } from '../../../changes.js'
import type { Database } from '../../../db/schema.js'
import { newId } from '../../../ids.js'
import {
  defaultContentVariables,
  defaultHtml,
  defaultPhoneTemplates,
  defaultTemplates,
  defaultText,
} from '../defaults.js'
import * as store from '../store.js'

type Trx = Transaction<Database>

type Channel = 'email' | 'sms' | 'whatsapp'

/**
 * The default templates, each live as version 1 approved by the system: email, and the SMS and WhatsApp variants.
 * Idempotent per purpose, channel and locale.
 */
export async function seedDefaultTemplates(
  trx: Trx,
  merchantId: string,
  now: Date,
  channels: Channel[] = ['email', 'sms', 'whatsapp'],
): Promise<void> {
  const phone = (channel: 'sms' | 'whatsapp') =>
    defaultPhoneTemplates.map((t) => ({
      merchant_id: merchantId,
      id: newId(),
      purpose: t.purpose,
      channel,
      locale: 'en',
      name: `${t.name} (${channel === 'sms' ? 'SMS' : 'WhatsApp'})`,
      draft_subject: '',
      draft_text: t[channel],
      draft_html: null,
      content_variables: JSON.stringify(channel === 'whatsapp' ? defaultContentVariables : {}),
      live_version: 1,
      archived_at: null,
      created_at: now,
      updated_at: now,
    }))
  const email = defaultTemplates.map((t) => ({
    merchant_id: merchantId,
    id: newId(),
    purpose: t.purpose,
    channel: 'email' as const,
    locale: 'en',
    name: t.name,
    draft_subject: t.subject,
    draft_text: defaultText(t),
    draft_html: defaultHtml(t),
    live_version: 1,
    archived_at: null,
    created_at: now,
    updated_at: now,
  }))
  const rows = [
    ...(channels.includes('email') ? email : []),
    ...(channels.includes('sms') ? phone('sms') : []),
    ...(channels.includes('whatsapp') ? phone('whatsapp') : []),
  ]
  const inserted = await store.insertTemplatesIfAbsent(trx, rows)
  for (const r of inserted) {
    await store.insertVersion(trx, {
      merchant_id: merchantId,
      template_id: r.id,
      version: 1,
      subject: r.draft_subject,
      text_body: r.draft_text,
      html_body: r.draft_html,
      created_by: null,
      created_at: now,
      approved_by: null,
      approved_at: now,
    })
  }
  if (inserted.length > 0)
    await recordAuditFor(
      trx,
      systemContext(merchantId),
      {
        action: 'message_templates.seeded',
        entityType: 'merchant',
        entityId: merchantId,
        after: { purposes: [...new Set(inserted.map((r) => r.purpose))], channels, live_version: 1 },
      },
      now,
    )
}

/**
 * A workspace made before templates (or before a channel's variants) existed gets the defaults of every channel it
 * has no template of on first use (new ones get them all when created).
 */
export async function ensureDefaultTemplates(trx: Trx, merchantId: string, now: Date): Promise<void> {
  const have = await store.countTemplatesByChannel(trx, merchantId)
  const missing = (['email', 'sms', 'whatsapp'] as const).filter((c) => !have.get(c))
  if (missing.length) await seedDefaultTemplates(trx, merchantId, now, missing)
}
