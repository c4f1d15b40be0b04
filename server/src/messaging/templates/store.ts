import type { Insertable, Selectable, Updateable } from 'kysely'
import { insertReturning, keyedRows, ownedRows, selectOwned, type Db, type Trx, updateOwned } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'

export type TemplateRow = Selectable<Database['message_templates']>
export type VersionRow = Selectable<Database['message_template_versions']>
export type EmailSettingsRow = Selectable<Database['email_settings']>

const templates = keyedRows('message_templates')
export const findTemplate = templates.find
export const lockTemplate = templates.lock
export const updateTemplate = templates.update

export const insertTemplate = (trx: Trx, row: Insertable<Database['message_templates']>) =>
  insertReturning(trx, 'message_templates', row)

/** Seeds: a template already there (same purpose, channel and locale) is left as the merchant made it. */
export async function insertTemplatesIfAbsent(
  trx: Trx,
  rows: Insertable<Database['message_templates']>[],
): Promise<TemplateRow[]> {
  if (rows.length === 0) return []
  return trx
    .insertInto('message_templates')
    .values(rows)
    .onConflict((oc) => oc.columns(['merchant_id', 'purpose', 'channel', 'locale']).doNothing())
    .returningAll()
    .execute()
}

/** Which purposes the workspace has a template for on which channel (any locale or state, archived included). */
export async function listPurposeChannels(db: Db, merchantId: string): Promise<{ purpose: string; channel: string }[]> {
  return selectOwned(db, 'message_templates', merchantId).select(['purpose', 'channel']).distinct().execute()
}

export async function listTemplates(
  db: Db,
  merchantId: string,
  filter: { purpose?: string; channel?: string; locale?: string; archived?: boolean },
): Promise<TemplateRow[]> {
  let q = ownedRows(db, 'message_templates', merchantId).orderBy('purpose').orderBy('channel').orderBy('locale')
  if (filter.purpose) q = q.where('purpose', '=', filter.purpose)
  if (filter.channel) q = q.where('channel', '=', filter.channel as TemplateRow['channel'])
  if (filter.locale) q = q.where('locale', '=', filter.locale)
  if (!filter.archived) q = q.where('archived_at', 'is', null)
  return q.execute()
}

/** The purpose's unarchived templates on a channel in any of these locales. */
export async function findTemplatesFor(
  db: Db,
  merchantId: string,
  purpose: string,
  channel: TemplateRow['channel'],
  locales: string[],
): Promise<TemplateRow[]> {
  return ownedRows(db, 'message_templates', merchantId)
    .where('purpose', '=', purpose)
    .where('channel', '=', channel)
    .where('locale', 'in', locales)
    .where('archived_at', 'is', null)
    .execute()
}

export async function findVersion(db: Db, merchantId: string, templateId: string, version: number) {
  return ownedRows(db, 'message_template_versions', merchantId)
    .where('template_id', '=', templateId)
    .where('version', '=', version)
    .executeTakeFirst()
}

export async function listVersions(db: Db, merchantId: string, templateId: string): Promise<VersionRow[]> {
  return ownedRows(db, 'message_template_versions', merchantId)
    .where('template_id', '=', templateId)
    .orderBy('version', 'desc')
    .execute()
}

/** The newest version of each of these templates (one query for a whole list). */
export async function latestVersions(db: Db, merchantId: string, templateIds: string[]): Promise<VersionRow[]> {
  if (templateIds.length === 0) return []
  return ownedRows(db, 'message_template_versions', merchantId)
    .where('template_id', 'in', templateIds)
    .distinctOn('template_id')
    .orderBy('template_id')
    .orderBy('version', 'desc')
    .execute()
}

export async function insertVersion(trx: Trx, row: Insertable<Database['message_template_versions']>) {
  return insertReturning(trx, 'message_template_versions', row)
}

/** Versions are immutable: approval is the one thing ever written to one after it is saved, and only once. */
export async function approveVersion(
  trx: Trx,
  merchantId: string,
  templateId: string,
  version: number,
  by: string | null,
  at: Date,
): Promise<VersionRow | undefined> {
  return updateOwned(trx, 'message_template_versions', merchantId)
    .set({ approved_by: by, approved_at: at })
    .where('template_id', '=', templateId)
    .where('version', '=', version)
    .where('approved_at', 'is', null)
    .returningAll()
    .executeTakeFirst()
}

export async function findEmailSettings(db: Db, merchantId: string): Promise<EmailSettingsRow | undefined> {
  return ownedRows(db, 'email_settings', merchantId).executeTakeFirst()
}

export async function upsertEmailSettings(
  trx: Trx,
  row: Insertable<Database['email_settings']>,
  patch: Updateable<Database['email_settings']>,
): Promise<EmailSettingsRow> {
  return trx
    .insertInto('email_settings')
    .values(row)
    .onConflict((oc) => oc.column('merchant_id').doUpdateSet(patch))
    .returningAll()
    .executeTakeFirstOrThrow()
}
