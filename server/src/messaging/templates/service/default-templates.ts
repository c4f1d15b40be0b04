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
type Row = Parameters<typeof store.insertTemplatesIfAbsent>[1][number]

/** Every default as a row: email, and the SMS and WhatsApp variants. */
function defaultRows(merchantId: string, now: Date): Row[] {
  const common = {
    merchant_id: merchantId,
    locale: 'en',
    live_version: 1,
    archived_at: null,
    created_at: now,
    updated_at: now,
  }
  const email = defaultTemplates.map((t) => ({
    ...common,
    id: newId(),
    purpose: t.purpose,
    channel: 'email' as Channel,
    name: t.name,
    draft_subject: t.subject,
    draft_text: defaultText(t),
    draft_html: defaultHtml(t),
  }))
  const phone = (channel: 'sms' | 'whatsapp') =>
    defaultPhoneTemplates.map((t) => ({
      ...common,
      id: newId(),
      purpose: t.purpose,
      channel,
      name: `${t.name} (${channel === 'sms' ? 'SMS' : 'WhatsApp'})`,
      draft_subject: '',
      draft_text: t[channel],
      draft_html: null,
      content_variables: JSON.stringify(channel === 'whatsapp' ? defaultContentVariables : {}),
    }))
  return [...email, ...phone('sms'), ...phone('whatsapp')]
}

const pair = (r: { purpose: string; channel: string }) => `${r.purpose}/${r.channel}`

/**
 * The default templates, each live as version 1 approved by the system, but those whose purpose and channel are in
 * `present`. Idempotent per purpose, channel and locale.
 */
export async function seedDefaultTemplates(
  trx: Trx,
  merchantId: string,
  now: Date,
  present: ReadonlySet<string> = new Set(),
): Promise<void> {
  const rows = defaultRows(merchantId, now).filter((r) => !present.has(pair(r)))
  if (!rows.length) return
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
        after: { templates: [...new Set(inserted.map(pair))], live_version: 1 },
      },
      now,
    )
}

const defaultPairs = new Set([
  ...defaultTemplates.map((t) => pair({ purpose: t.purpose, channel: 'email' })),
  ...defaultPhoneTemplates.flatMap((t) => ['sms', 'whatsapp'].map((channel) => pair({ purpose: t.purpose, channel }))),
])

/**
 * A workspace made before templates existed gets the defaults on first use (new ones get them when created), and one
 * made before a default or a channel's variant was added (carrier_inquiry, csat_survey, the SMS and WhatsApp ones)
 * gets that one. A purpose and channel the workspace has in any form, archived included, is left as it is.
 */
export async function ensureDefaultTemplates(trx: Trx, merchantId: string, now: Date): Promise<void> {
  const present = new Set((await store.listPurposeChannels(trx, merchantId)).map(pair))
  if ([...defaultPairs].some((p) => !present.has(p))) await seedDefaultTemplates(trx, merchantId, now, present)
}
