import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../../auth/actor.js'
import { findCaseOrThrow } from '../../../cases/service.js'
import type { Config } from '../../../config.js'
import { getCustomer } from '../../../customers/service.js'
import type { Database } from '../../../db/schema.js'
import { AppError } from '../../../errors.js'
import { recordMessage } from '../../service/record-message.js'
import type { Message } from '../../types.js'
import type { RenderApp } from './case-variables.js'
import { getEmailSettings } from './email-settings.js'
import { type RenderedForCase, renderForCase } from './render-for-case.js'

type Trx = Transaction<Database>
export type SendApp = RenderApp & { config: Pick<Config, 'publicUrl' | 'email' | 'smtpUrl'> }

export const noMailServer = 'no mail server configured'

/**
 * Renders the template's live version for the case and records it as an outbound email to the customer: queued
 * when it passes QA (the send job delivers it), held with QA's reasons when it does not, not_sent without a mail
 * server. Null when the customer has no email address and `requireEmail` is false.
 */
export async function recordTemplatedEmail(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  o: {
    templateId?: string
    purpose?: string
    automatic: boolean
    requireEmail: boolean
    messageIdHeader?: string
    /** Links the caller made for this message (links.survey), beside the portal's */
    links?: Record<string, string>
    /** Values the caller has for this message (evidence_request.*), beside the case's */
    values?: Record<string, Record<string, unknown>>
    app: SendApp
  },
  now: Date,
): Promise<{ message: Message; rendered: RenderedForCase } | null> {
  const c = await findCaseOrThrow(trx, ctx.merchantId, caseId)
  const customer = c.customer_id ? await getCustomer(trx, ctx.merchantId, c.customer_id).catch(() => null) : null
  if (!customer?.email) {
    if (!o.requireEmail) return null
    throw new AppError('customer_email_missing', "The case's customer has no email address to write to", {
      case_id: caseId,
    })
  }
  const rendered = await renderForCase(
    trx,
    ctx,
    caseId,
    { templateId: o.templateId, purpose: o.purpose, version: 'live', app: o.app, links: o.links, values: o.values },
    now,
  )
  const settings = await getEmailSettings(trx, ctx.merchantId, o.app.config)
  const held = rendered.problems.length > 0
  const message = await recordMessage(
    trx,
    ctx,
    {
      caseId,
      direction: 'out',
      channel: 'email',
      visibility: 'public',
      status: held ? 'held' : o.app.config.smtpUrl ? 'queued' : 'not_sent',
      statusReason: held
        ? rendered.problems.map((p) => `${p.code}: ${p.detail}`).join('; ')
        : o.app.config.smtpUrl
          ? null
          : noMailServer,
      authorType: o.automatic ? 'system' : 'agent',
      authorId: o.automatic || ctx.actor.type !== 'user' ? null : ctx.actor.id,
      automatic: o.automatic,
      from: { address: settings.from_address, name: settings.from_name },
      to: [{ address: customer.email, ...(customer.name ? { name: customer.name } : {}) }],
      cc: [],
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      templateId: rendered.templateId,
      templateVersion: rendered.version,
      messageIdHeader: o.messageIdHeader,
      messageIdDomain: o.app.config.email.inboundDomain,
    },
    now,
  )
  return { message, rendered }
}
