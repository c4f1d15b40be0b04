import type { Transaction } from 'kysely'
import { systemContext } from '../../../auth/actor.js'
import { recordAuditFor } from '../../../changes.js'
import type { Database } from '../../../db/schema.js'
import { newId } from '../../../ids.js'
import { defaultHtml, defaultTemplates, defaultText } from '../defaults.js'
import * as store from '../store.js'

type Trx = Transaction<Database>

/** The default templates, each live as version 1 approved by the system. Idempotent per purpose and locale. */
export async function seedDefaultTemplates(trx: Trx, merchantId: string, now: Date): Promise<void> {
  const rows = defaultTemplates.map((t) => ({
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
        after: { purposes: inserted.map((r) => r.purpose), live_version: 1 },
      },
      now,
    )
}

/** A workspace made before templates existed gets the defaults on first use (new ones get them when created). */
export async function ensureDefaultTemplates(trx: Trx, merchantId: string, now: Date): Promise<void> {
  if ((await store.countTemplates(trx, merchantId)) === 0) await seedDefaultTemplates(trx, merchantId, now)
}
