import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../../auth/actor.js'
import { findCaseOrThrow } from '../../../cases/service.js'
import { getCustomer } from '../../../customers/service.js'
import type { Database } from '../../../db/schema.js'
import { AppError } from '../../../errors.js'
import { isUuid } from '../../../ids.js'
import type { TemplateChannel } from '../../tables.js'
import { checkLinks, type QaProblem } from '../link-qa.js'
import { renderTemplate, type TemplateSource } from '../render.js'
import * as store from '../store.js'
import { caseVariables, type RenderApp } from './case-variables.js'
import { getEmailSettings } from './email-settings.js'
import { allowedLinkHosts } from './link-hosts.js'
import { ensureDefaultTemplates } from './default-templates.js'

type Trx = Transaction<Database>

export const templateNotFound = (details: Record<string, unknown>) =>
  new AppError('template_not_found', 'No such template', details)
export type VersionChoice = 'live' | 'draft' | number

export type RenderForCaseOptions = {
  templateId?: string
  purpose?: string
  channel?: TemplateChannel
  /** The customer's language unless given; falls back to the workspace's default locale, then 'en'. */
  locale?: string
  /** 'live' (the default, and the only choice for automatic messages), the draft, or a saved version. */
  version?: VersionChoice
  /** A preview signs the portal link without recording it; anything else records the link it gives out. */
  preview?: boolean
  /** Parts to render in place of the saved draft (a preview of unsaved edits); with version 'draft' only. */
  draft?: TemplateSource
  /** PUBLIC_URL and the links key (the AppContext will do): the portal link needs them. */
  app: RenderApp
  /** Links the caller made for this message (links.survey: the CSAT survey), beside the portal's. */
  links?: Record<string, string>
  /** Values the caller has for this message (evidence_request: what an evidence request asks), beside the case's. */
  values?: Record<string, Record<string, unknown>>
  /** The template's WhatsApp content variables, rendered with the same values (one portal link for both). */
  contentVariables?: boolean
}

export type RenderedForCase = {
  subject: string
  text: string
  html: string | null
  templateId: string
  /** null: the draft. */
  version: number | null
  locale: string
  problems: QaProblem[]
  /** A WhatsApp template's approved content template and its variables rendered (with `contentVariables`). */
  contentSid: string | null
  contentVariables: Record<string, string>
}

/** 'de_at' → 'de-AT'; anything that is not a language tag → null. */
export function normaliseLocale(locale: string | null | undefined): string | null {
  const m = locale?.trim().match(/^([a-z]{2,3})(?:[-_]([a-z]{2}))?$/i)
  if (!m) return null
  return m[2] ? `${m[1]!.toLowerCase()}-${m[2].toUpperCase()}` : m[1]!.toLowerCase()
}

/** The locales to try, best first: the one asked for, its language, the workspace's default, its language, en. */
export function localeChain(wanted: (string | null | undefined)[], defaultLocale: string): string[] {
  const chain: string[] = []
  for (const l of [...wanted, defaultLocale, 'en'].map(normaliseLocale)) {
    if (!l) continue
    chain.push(l)
    if (l.includes('-')) chain.push(l.split('-')[0]!)
  }
  return [...new Set(chain)]
}

export async function resolveTemplate(
  trx: Trx,
  merchantId: string,
  by: { templateId?: string; purpose?: string; channel?: TemplateChannel; locales: string[] },
  now: Date,
): Promise<store.TemplateRow> {
  await ensureDefaultTemplates(trx, merchantId, now)
  if (by.templateId) {
    const row = isUuid(by.templateId) ? await store.findTemplate(trx, merchantId, by.templateId) : undefined
    if (!row) throw templateNotFound({ template_id: by.templateId })
    return row
  }
  if (!by.purpose)
    throw new AppError('validation_failed', 'Name a template or a purpose', { fields: ['template_id', 'purpose'] })
  const channel = by.channel ?? 'email'
  const rows = await store.findTemplatesFor(trx, merchantId, by.purpose, channel, by.locales)
  const best = by.locales.map((l) => rows.find((r) => r.locale === l)).find((r) => r !== undefined)
  if (!best) throw templateNotFound({ purpose: by.purpose, channel, locales: by.locales })
  return best
}

/** The text of the chosen version: the live one unless told otherwise. */
export async function versionSource(
  trx: Trx,
  template: store.TemplateRow,
  choice: VersionChoice,
  /** Unsaved parts that stand in for the saved draft. */
  unsaved?: TemplateSource,
): Promise<{ source: TemplateSource; version: number | null }> {
  if (unsaved && choice !== 'draft')
    throw new AppError('validation_failed', 'Unsaved parts preview the draft only', {
      errors: [{ path: 'body/draft', message: "only with version 'draft'" }],
    })
  if (choice === 'draft')
    return {
      source: unsaved ?? { subject: template.draft_subject, text: template.draft_text, html: template.draft_html },
      version: null,
    }
  const number = choice === 'live' ? template.live_version : choice
  if (number === null)
    throw new AppError(
      'template_not_live',
      'This template has no live version yet: approve a version and make it live',
      {
        template_id: template.id,
      },
    )
  const v = await store.findVersion(trx, template.merchant_id, template.id, number)
  if (!v)
    throw new AppError('template_version_not_found', 'No such version', { template_id: template.id, version: number })
  return { source: { subject: v.subject, text: v.text_body, html: v.html_body }, version: v.version }
}

/**
 * The template for this case, rendered with the case's values, with every problem QA finds (rendering and links):
 * a caller sends only when `problems` is empty, and holds the message with them otherwise.
 */
export async function renderForCase(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  opts: RenderForCaseOptions,
  now: Date,
): Promise<RenderedForCase> {
  const c = await findCaseOrThrow(trx, ctx.merchantId, caseId)
  const settings = await getEmailSettings(trx, ctx.merchantId, opts.app.config)
  const customer = c.customer_id ? await getCustomer(trx, ctx.merchantId, c.customer_id).catch(() => null) : null
  const locales = localeChain([opts.locale, customer?.locale], settings.default_locale)
  const template = await resolveTemplate(trx, ctx.merchantId, { ...opts, locales }, now)
  const { source, version } = await versionSource(trx, template, opts.version ?? 'live', opts.draft)
  const extras: Record<string, string> = opts.contentVariables ? template.content_variables : {}
  // A link the caller gives (links.survey) needs no portal link minted and audited beside it.
  const given = Object.keys(opts.links ?? {})
  const mentionsLinks = /\blinks\b/.test(
    `${source.subject}${source.text}${source.html ?? ''}${Object.values(extras)}`.replace(
      new RegExp(`\\blinks\\.(${given.join('|') || '(?!)'})\\b`, 'g'),
      '',
    ),
  )
  const portalLink = !mentionsLinks ? 'none' : opts.preview ? 'preview' : 'send'
  const variables = await caseVariables(
    trx,
    ctx,
    caseId,
    { app: opts.app, settings, locale: template.locale, portalLink },
    now,
  )
  if (opts.links) variables.links = { ...(variables.links as Record<string, unknown>), ...opts.links }
  for (const [group, values] of Object.entries(opts.values ?? {}))
    variables[group] = { ...(variables[group] as Record<string, unknown>), ...values }
  const rendered = renderTemplate(source, variables)
  const hosts = await allowedLinkHosts(trx, ctx.merchantId, opts.app.config, now)
  const contentVariables: Record<string, string> = {}
  const extraProblems: QaProblem[] = []
  for (const [name, text] of Object.entries(extras)) {
    const r = renderTemplate({ subject: '', text }, variables)
    contentVariables[name] = r.text
    extraProblems.push(...r.problems.map((p) => ({ ...p, detail: `content variable ${name}: ${p.detail}` })))
  }
  return {
    ...rendered,
    templateId: template.id,
    version,
    locale: template.locale,
    problems: [...rendered.problems, ...checkLinks(rendered, hosts), ...extraProblems],
    contentSid: template.content_sid,
    contentVariables,
  }
}
