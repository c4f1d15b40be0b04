import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../../auth/actor.js'
import { recordAuditFor } from '../../../changes.js'
import type { Db } from '../../../db/owned.js'
import type { Database } from '../../../db/schema.js'
import { AppError } from '../../../errors.js'
import { isUuid, newId } from '../../../ids.js'
import type { TemplateChannel } from '../../tables.js'
import { renderTemplate } from '../render.js'
import * as store from '../store.js'
import { type Template, type TemplateDetail, toTemplate, toVersion } from '../types.js'
import { sampleVariables } from '../variables.js'
import { ensureDefaultTemplates } from './default-templates.js'
import { normaliseLocale, templateNotFound } from './render-for-case.js'

type Trx = Transaction<Database>

export type TemplateInput = {
  purpose: string
  channel: TemplateChannel
  locale: string
  name: string
  subject: string
  text: string
  html?: string | null
}
export type DraftInput = Partial<Pick<TemplateInput, 'name' | 'subject' | 'text' | 'html'>> & {
  /** A WhatsApp template's approved content template, and its variables as Liquid. */
  content_sid?: string | null
  content_variables?: Record<string, string>
}

const audited = (t: Template) => ({
  purpose: t.purpose,
  channel: t.channel,
  locale: t.locale,
  name: t.name,
  draft: t.draft,
  live_version: t.live_version,
  content_sid: t.content_sid,
  content_variables: t.content_variables,
})

async function findOrThrow(db: Db, merchantId: string, id: string): Promise<store.TemplateRow> {
  const row = isUuid(id) ? await store.findTemplate(db, merchantId, id) : undefined
  if (!row) throw templateNotFound({ template_id: id })
  return row
}

async function lockOrThrow(trx: Trx, merchantId: string, id: string, live = true): Promise<store.TemplateRow> {
  const row = isUuid(id) ? await store.lockTemplate(trx, merchantId, id) : undefined
  if (!row) throw templateNotFound({ template_id: id })
  if (live && row.archived_at) throw new AppError('template_archived', 'This template is archived', { template_id: id })
  return row
}

export async function listTemplates(
  trx: Trx,
  merchantId: string,
  filter: { purpose?: string; channel?: TemplateChannel; locale?: string; archived?: boolean },
  now: Date,
): Promise<Template[]> {
  await ensureDefaultTemplates(trx, merchantId, now)
  const rows = await store.listTemplates(trx, merchantId, filter)
  const latest = new Map(
    (
      await store.latestVersions(
        trx,
        merchantId,
        rows.map((r) => r.id),
      )
    ).map((v) => [v.template_id, v]),
  )
  return rows.map((r) => toTemplate(r, latest.get(r.id)))
}

export async function getTemplate(db: Db, merchantId: string, id: string): Promise<TemplateDetail> {
  const row = await findOrThrow(db, merchantId, id)
  const versions = await store.listVersions(db, merchantId, row.id)
  return { ...toTemplate(row, versions[0]), versions: versions.map((v) => toVersion(v, row.live_version)) }
}

export async function createTemplate(
  trx: Trx,
  ctx: ServiceContext,
  input: TemplateInput,
  now: Date,
): Promise<TemplateDetail> {
  await ensureDefaultTemplates(trx, ctx.merchantId, now)
  const locale = normaliseLocale(input.locale)
  if (!locale) throw new AppError('validation_failed', 'Not a locale (like en or de-AT)', { fields: ['locale'] })
  const [inserted] = await store.insertTemplatesIfAbsent(trx, [
    {
      merchant_id: ctx.merchantId,
      id: newId(),
      purpose: input.purpose,
      channel: input.channel,
      locale,
      name: input.name,
      draft_subject: input.subject,
      draft_text: input.text,
      draft_html: input.html ?? null,
      live_version: null,
      archived_at: null,
      created_at: now,
      updated_at: now,
    },
  ])
  if (!inserted)
    throw new AppError('template_exists', 'A template for this purpose, channel and locale exists: change that one', {
      purpose: input.purpose,
      channel: input.channel,
      locale,
    })
  const t = toTemplate(inserted)
  await recordAuditFor(
    trx,
    ctx,
    { action: 'message_template.created', entityType: 'message_template', entityId: t.id, after: audited(t) },
    now,
  )
  return { ...t, versions: [] }
}

export async function updateDraft(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  input: DraftInput,
  now: Date,
): Promise<TemplateDetail> {
  if (typeof input.content_sid === 'string' && !/^HX[0-9a-fA-F]{32}$/.test(input.content_sid))
    throw new AppError('validation_failed', 'That is not a Twilio Content SID', {
      errors: [{ path: 'body/content_sid', message: 'a Content SID: HX and 32 hexadecimal characters' }],
    })
  const before = toTemplate(await lockOrThrow(trx, ctx.merchantId, id))
  const content = (['content_sid', 'content_variables'] as const).filter((k) => input[k] !== undefined)
  if (content.length && before.channel !== 'whatsapp')
    throw new AppError('phone_channel_invalid', 'Content templates are for WhatsApp templates', {
      errors: content.map((k) => ({ path: `body/${k}`, message: 'only on a whatsapp template' })),
    })
  const row = await store.updateTemplate(trx, ctx.merchantId, before.id, {
    ...(input.content_sid !== undefined && { content_sid: input.content_sid }),
    ...(input.content_variables !== undefined && { content_variables: JSON.stringify(input.content_variables) }),
    ...(input.name !== undefined && { name: input.name }),
    ...(input.subject !== undefined && { draft_subject: input.subject }),
    ...(input.text !== undefined && { draft_text: input.text }),
    ...(input.html !== undefined && { draft_html: input.html }),
    updated_at: now,
  })
  const after = toTemplate(row)
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'message_template.draft_updated',
      entityType: 'message_template',
      entityId: id,
      before: audited(before),
      after: audited(after),
    },
    now,
  )
  return getTemplate(trx, ctx.merchantId, id)
}

/** Freezes the draft as the next version: it must render (known variables and filters, valid Liquid). */
export async function saveVersion(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<TemplateDetail> {
  const row = await lockOrThrow(trx, ctx.merchantId, id)
  const source = { subject: row.draft_subject, text: row.draft_text, html: row.draft_html }
  const problems = renderTemplate(source, sampleVariables()).problems.filter(
    (p) => p.code === 'invalid_template' || p.code === 'undefined_variable' || p.code === 'too_large',
  )
  if (problems.length > 0)
    throw new AppError('template_invalid', 'The draft does not render: fix it before saving a version', { problems })
  const versions = await store.listVersions(trx, ctx.merchantId, row.id)
  const latest = versions[0]
  if (
    latest &&
    latest.subject === source.subject &&
    latest.text_body === source.text &&
    latest.html_body === source.html
  )
    throw new AppError('template_unchanged', 'The draft is the same as the latest version', { version: latest.version })
  const version = (latest?.version ?? 0) + 1
  await store.insertVersion(trx, {
    merchant_id: ctx.merchantId,
    template_id: row.id,
    version,
    subject: source.subject,
    text_body: source.text,
    html_body: source.html,
    created_by: ctx.actor.id,
    created_at: now,
    approved_by: null,
    approved_at: null,
  })
  await store.updateTemplate(trx, ctx.merchantId, row.id, { updated_at: now })
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'message_template.version_saved',
      entityType: 'message_template',
      entityId: id,
      after: { version, ...source },
    },
    now,
  )
  return getTemplate(trx, ctx.merchantId, id)
}

async function versionOrThrow(trx: Trx, merchantId: string, templateId: string, version: number) {
  const v = await store.findVersion(trx, merchantId, templateId, version)
  if (!v) throw new AppError('template_version_not_found', 'No such version', { template_id: templateId, version })
  return v
}

/** Approval (templates.approve): the version may go live; and with `makeLive`, it does. */
export async function approveVersion(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  version: number,
  makeLive: boolean,
  now: Date,
): Promise<TemplateDetail> {
  const row = await lockOrThrow(trx, ctx.merchantId, id)
  await versionOrThrow(trx, ctx.merchantId, row.id, version)
  const approved = await store.approveVersion(trx, ctx.merchantId, row.id, version, ctx.actor.id, now)
  if (!approved)
    throw new AppError('template_version_approved', 'This version is approved already', { template_id: id, version })
  await recordAuditFor(
    trx,
    ctx,
    { action: 'message_template.version_approved', entityType: 'message_template', entityId: id, after: { version } },
    now,
  )
  return makeLive ? makeVersionLive(trx, ctx, id, version, now) : getTemplate(trx, ctx.merchantId, id)
}

/** The version automatic messages use from now on; only an approved one. */
export async function makeVersionLive(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  version: number,
  now: Date,
): Promise<TemplateDetail> {
  const row = await lockOrThrow(trx, ctx.merchantId, id)
  const v = await versionOrThrow(trx, ctx.merchantId, row.id, version)
  if (!v.approved_at)
    throw new AppError('template_version_not_approved', 'Only an approved version can go live', {
      template_id: id,
      version,
    })
  await store.updateTemplate(trx, ctx.merchantId, row.id, { live_version: version, updated_at: now })
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'message_template.made_live',
      entityType: 'message_template',
      entityId: id,
      before: { live_version: row.live_version },
      after: { live_version: version },
    },
    now,
  )
  return getTemplate(trx, ctx.merchantId, id)
}

/** Out of use (no longer found by purpose, nothing sent from it); its versions stay, as the messages name them. */
export async function archiveTemplate(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<TemplateDetail> {
  const row = await lockOrThrow(trx, ctx.merchantId, id)
  await store.updateTemplate(trx, ctx.merchantId, row.id, { archived_at: now, updated_at: now })
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'message_template.archived',
      entityType: 'message_template',
      entityId: id,
      before: { archived_at: null },
      after: { archived_at: now.toISOString() },
    },
    now,
  )
  return getTemplate(trx, ctx.merchantId, id)
}

const normalised = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '_')

/**
 * The live template a name means, as automations write it: its name or purpose, case-insensitively or after
 * normalising ('Damage Ack' → damage_ack). A read: workspaces get their default templates when they are created.
 */
export async function findTemplateByName(
  db: Db,
  merchantId: string,
  name: string,
): Promise<{ id: string; purpose: string } | null> {
  const rows = await store.listTemplates(db, merchantId, {})
  const lower = name.trim().toLowerCase()
  const hit =
    rows.find((r) => r.name.toLowerCase() === lower || r.purpose.toLowerCase() === lower) ??
    rows.find((r) => normalised(r.name) === normalised(name) || normalised(r.purpose) === normalised(name))
  return hit ? { id: hit.id, purpose: hit.purpose } : null
}
