import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../../auth/actor.js'
import type { Database } from '../../../db/schema.js'
import { AppError } from '../../../errors.js'
import { createMailTransport } from '../../email/transport.js'
import { checkLinks, type QaProblem } from '../link-qa.js'
import { renderTemplate, type TemplateSource } from '../render.js'
import { sampleVariables } from '../variables.js'
import type { RenderApp } from './case-variables.js'
import { getEmailSettings } from './email-settings.js'
import { allowedLinkHosts } from './link-hosts.js'
import { renderForCase, resolveTemplate, type VersionChoice, versionSource } from './render-for-case.js'
import { recordAuditFor } from '../../../changes.js'
import type { Config } from '../../../config.js'

type Trx = Transaction<Database>

export type Preview = {
  subject: string
  text: string
  html: string | null
  version: number | null
  problems: QaProblem[]
}

/** The template as a case (or, without one, the sample data) renders it, with what QA finds; the draft by default. */
export async function previewTemplate(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  input: { caseId?: string; version?: VersionChoice; draft?: TemplateSource },
  app: RenderApp,
  now: Date,
): Promise<Preview> {
  const version = input.version ?? 'draft'
  const template = await resolveTemplate(trx, ctx.merchantId, { templateId: id, locales: [] }, now)
  if (input.caseId) {
    const r = await renderForCase(
      trx,
      ctx,
      input.caseId,
      { templateId: template.id, version, draft: input.draft, preview: true, app },
      now,
    )
    return { subject: r.subject, text: r.text, html: r.html, version: r.version, problems: r.problems }
  }
  const chosen = await versionSource(trx, template, version, input.draft)
  const rendered = renderTemplate(chosen.source, sampleVariables(app.config.publicUrl))
  const hosts = await allowedLinkHosts(trx, ctx.merchantId, app.config, now)
  return { ...rendered, version: chosen.version, problems: [...rendered.problems, ...checkLinks(rendered, hosts)] }
}

export type TestSend = { to: string; caseId?: string; version?: VersionChoice }

/**
 * Sends the preview to an address the editor chose, marked as a test, straight over SMTP (no case, no queue).
 * Audited before it goes, so a failed attempt is on record too.
 */
export async function sendTestMessage(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  input: TestSend,
  app: RenderApp & { config: Pick<Config, 'smtpUrl'> },
  now: Date,
): Promise<{ preview: Preview; send: () => Promise<{ message_id: string }> }> {
  // Rendered first, so an unknown template or case answers 404 whether or not mail is configured.
  const preview = await previewTemplate(trx, ctx, id, input, app, now)
  const transport = createMailTransport(app.config)
  if (!transport)
    throw new AppError('mail_server_not_configured', 'No mail server is configured (SMTP_URL): nothing can be sent', {
      setting: 'SMTP_URL',
    })
  const settings = await getEmailSettings(trx, ctx.merchantId, app.config)
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'message_template.test_sent',
      entityType: 'message_template',
      entityId: id,
      after: {
        to: input.to,
        version: preview.version,
        case_id: input.caseId ?? null,
        problems: preview.problems.length,
      },
      personal: ['to'],
    },
    now,
  )
  const send = async () => {
    try {
      const info = await transport.sendMail({
        from: { name: settings.from_name, address: settings.from_address },
        to: input.to,
        subject: `[Test] ${preview.subject}`,
        text: preview.text,
        ...(preview.html !== null && { html: preview.html }),
        headers: { 'Auto-Submitted': 'auto-generated' },
      })
      return { message_id: String(info.messageId ?? '').replace(/^<|>$/g, '') }
    } finally {
      transport.close()
    }
  }
  return { preview, send }
}
