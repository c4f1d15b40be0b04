import type { Transaction } from 'kysely'
import { systemContext } from '../../../auth/actor.js'
import { recordAuditFor } from '../../../changes.js'
import type { Database } from '../../../db/schema.js'
import { newId } from '../../../ids.js'
import { defaultHtml, defaultTemplates, defaultText } from '../defaults.js'
import * as store from '../store.js'

type Trx = Transaction<Database>

/** The default templates (but those of purposes to skip), each live as version 1 approved by the system. Idempotent per purpose and locale. */
export async function seedDefaultTemplates(
  trx: Trx,
  merchantId: string,
  now: Date,
  skip: string[] = [],
): Promise<void> {
  const rows = defaultTemplates
    .filter((t) => !skip.includes(t.purpose))
    .map((t) => ({
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

const defaultPurposes = [...new Set(defaultTemplates.map((t) => t.purpose))]

/**
 * A workspace made before templates existed gets the defaults on first use (new ones get them when created), and one
 * made before a default was added (the side conversations' carrier_inquiry, warehouse_check) gets that one. A
 * purpose the workspace has in any form, archived included, is left as it is.
 */
export async function ensureDefaultTemplates(trx: Trx, merchantId: string, now: Date): Promise<void> {
  const present = await store.listPurposes(trx, merchantId, defaultPurposes)
  if (present.length < defaultPurposes.length) await seedDefaultTemplates(trx, merchantId, now, present)
}
