import type { TemplateChannel } from '../tables.js'
import type { TemplateRow, VersionRow } from './store.js'

export type TemplateVersion = {
  version: number
  subject: string
  text: string
  html: string | null
  created_by: string | null
  created_at: Date
  approved_by: string | null
  approved_at: Date | null
  live: boolean
}

export type Template = {
  id: string
  purpose: string
  channel: TemplateChannel
  locale: string
  name: string
  draft: { subject: string; text: string; html: string | null }
  live_version: number | null
  /** The newest saved version, whether it is approved, and whether the draft differs from it (or none is saved). */
  latest_version: number | null
  latest_approved: boolean
  draft_changed: boolean
  /** A WhatsApp template's approved Twilio content template (outside the 24-hour window) and its variables. */
  content_sid: string | null
  content_variables: Record<string, string>
  archived_at: Date | null
  created_at: Date
  updated_at: Date
}

export type TemplateDetail = Template & { versions: TemplateVersion[] }

export const toTemplate = (r: TemplateRow, latest?: VersionRow): Template => ({
  id: r.id,
  purpose: r.purpose,
  channel: r.channel,
  locale: r.locale,
  name: r.name,
  draft: { subject: r.draft_subject, text: r.draft_text, html: r.draft_html },
  live_version: r.live_version,
  latest_version: latest?.version ?? null,
  latest_approved: !!latest?.approved_at,
  draft_changed:
    !latest ||
    latest.subject !== r.draft_subject ||
    latest.text_body !== r.draft_text ||
    latest.html_body !== r.draft_html,
  content_sid: r.content_sid,
  content_variables: r.content_variables,
  archived_at: r.archived_at,
  created_at: r.created_at,
  updated_at: r.updated_at,
})

export const toVersion = (v: VersionRow, liveVersion: number | null): TemplateVersion => ({
  version: v.version,
  subject: v.subject,
  text: v.text_body,
  html: v.html_body,
  created_by: v.created_by,
  created_at: v.created_at,
  approved_by: v.approved_by,
  approved_at: v.approved_at,
  live: v.version === liveVersion,
})
