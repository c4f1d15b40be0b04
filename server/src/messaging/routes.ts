import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Static } from 'typebox'
import { inTransaction } from '../auth/actor.js'
import { AppError } from '../errors.js'
import { noStoreHeaders } from '../http/headers.js'
import { listPage } from '../http/pagination.js'
import { camelKeys, routeOptions } from '../http/route.js'
import { TokenParams } from '../portal/schemas.js'
import {
  CaseMessagePage,
  CaseParams,
  ConversationQuery,
  FailedQuery,
  MessagePage,
  MessageParams,
  MessageView,
  PortalConversation,
  PortalMessageBody,
  PortalMessageView,
  RawMessage,
  SendMessageBody,
} from './schemas.js'
import { replyAddress } from './email/reply-address.js'
import { type PhoneSendInput, recordPhoneMessage, withWhatsappTemplate } from './phone/send-phone-message.js'
import * as service from './service.js'
import { portalConversation, portalReply } from './service/portal-conversation.js'
import { type OpenSideInput, openSideConversation } from './side/service.js'

const route = routeOptions('messages')

/** The side email of POST /cases/{id}/messages as a new side conversation with an unnamed third party. */
const sideInput = (i: service.SendInput): OpenSideInput => {
  if (!i.to?.length) throw new AppError('recipient_required', 'Name the third party to write to', { fields: ['to'] })
  return {
    counterpartyKind: 'other',
    to: i.to,
    cc: i.cc,
    subject: i.subject,
    text: i.text,
    html: i.html,
    templateId: i.templateId,
    templateVersion: i.templateVersion,
    attachmentIds: i.attachmentIds,
  }
}

type SendBody = Static<typeof SendMessageBody>

/** A phone message's input; an email's own fields (to, cc, subject, html, attachments, side) are refused. */
function phoneInput(body: SendBody, channel: 'sms' | 'whatsapp'): PhoneSendInput {
  const emailOnly: string[] = (['to', 'cc', 'subject', 'html', 'attachment_ids'] as const).filter(
    (k) => body[k] !== undefined,
  )
  if (body.visibility === 'side') emailOnly.push('visibility')
  if (emailOnly.length)
    throw new AppError('phone_channel_invalid', `These fields are not for ${channel} messages`, {
      errors: emailOnly.map((k) => ({ path: `body/${k}`, message: `not with channel ${channel}` })),
    })
  return {
    channel,
    text: body.text,
    to: body.phone,
    urgent: body.urgent,
    contentSid: body.content_sid,
    contentVariables: body.content_variables,
    templateId: body.template_id,
    templateVersion: body.template_version,
    setWaiting: body.set_waiting,
  }
}
const portalRoute = routeOptions('portal')

export const messagingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const mail = (): service.MailSetup => service.mailSetupOf(app.ctx.config)

  app.get(
    '/cases/:id/messages',
    route('cases.read', {
      summary: "A case's conversation, oldest first: messages with attachments and delivery states",
      params: CaseParams,
      querystring: ConversationQuery,
      response: { 200: CaseMessagePage },
    }),
    async (req) => {
      const { limit: _l, cursor: _c, ...filters } = req.query
      const { merchantId } = req.actor
      const page = await listPage(req.query, (page) =>
        service.listCaseMessages(app.db, merchantId, req.params.id, { ...filters, ...page }),
      )
      // The listener finds a reply address's workspace by the messages on its case: none yet, no address.
      const known = page.data.length > 0 || page.next_cursor !== null || !!req.query.cursor
      const any = known || (await service.listCaseMessages(app.db, merchantId, req.params.id, { limit: 1 })).length
      const reply_address = any ? replyAddress(app.ctx.keys.links, merchantId, req.params.id, mail().domain) : null
      return { ...page, reply_address }
    },
  )

  app.post(
    '/cases/:id/messages',
    route(
      'messages.send',
      {
        summary:
          "A message on a case: an email to the customer (public, default: to the case's customer) or a side conversation; queued, not_sent without a mail server, held when a link fails QA. With channel sms or whatsapp: a text to the customer's phone (refused when they opted out, or, on WhatsApp, outside the 24-hour window without a content template; deferred in quiet hours)",
        params: CaseParams,
        body: SendMessageBody,
        response: { 201: MessageView },
      },
      { text: 'Your replacement is on its way.', to: [{ address: 'customer@example.com' }] },
    ),
    async (req, reply) => {
      const { attachment_ids, set_waiting, channel, phone, urgent, content_sid, content_variables, ...rest } = req.body
      if (channel === 'sms' || channel === 'whatsapp') {
        const message = await inTransaction(app.db, req, async (trx, ctx, now) => {
          const input = await withWhatsappTemplate(trx, ctx, req.params.id, phoneInput(req.body, channel), app.ctx, now)
          return recordPhoneMessage(trx, ctx, req.params.id, input, { automatic: false, app: app.ctx }, now)
        })
        return reply.status(201).send(message)
      }
      const phoneOnly = Object.entries({ phone, urgent, content_sid, content_variables }).filter(
        ([, v]) => v !== undefined,
      )
      if (phoneOnly.length)
        throw new AppError('phone_channel_invalid', 'These fields are for SMS and WhatsApp messages', {
          errors: phoneOnly.map(([k]) => ({ path: `body/${k}`, message: 'only with channel sms or whatsapp' })),
        })
      const input: service.SendInput = { ...camelKeys(rest), attachmentIds: attachment_ids, setWaiting: set_waiting }
      const message = await inTransaction(app.db, req, (trx, ctx, now) =>
        // A side email starts a side conversation of its own, so the third party's reply threads back into it.
        input.visibility === 'side'
          ? openSideConversation(
              trx,
              ctx,
              req.params.id,
              sideInput(input),
              { mail: mail(), render: app.ctx },
              now,
            ).then((r) => r.message)
          : service.sendMessage(trx, ctx, req.params.id, input, mail(), now),
      )
      return reply.status(201).send(message)
    },
  )

  app.get(
    '/messages',
    route('cases.read', {
      summary: 'The failed list: failed, bounced and held messages, newest first',
      querystring: FailedQuery,
      response: { 200: MessagePage },
    }),
    (req) =>
      listPage(req.query, (page) =>
        service.listFailedMessages(app.db, req.actor.merchantId, { status: req.query.status, ...page }),
      ),
  )

  app.get(
    '/messages/:id',
    route('cases.read', { summary: 'One message', params: MessageParams, response: { 200: MessageView } }),
    (req) => service.getMessage(app.db, req.actor.merchantId, req.params.id),
  )

  app.get(
    '/messages/:id/raw',
    route('cases.read', {
      summary: 'The message as it went over the wire (.eml), when stored',
      params: MessageParams,
      response: { 200: RawMessage },
    }),
    async (req, reply) => {
      const raw = await service.openRawMessage(app.db, app.ctx.blobs, req.actor.merchantId, req.params.id)
      return reply
        .type('message/rfc822')
        .header('content-length', String(raw.sizeBytes))
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', `attachment; filename="${raw.fileName}"`)
        .send(raw.body as unknown as string) // a stream; the schema documents the file it carries
    },
  )

  app.post(
    '/messages/:id/retry',
    route('messages.send', {
      summary:
        'Send a failed, bounced, held or not-sent email again (to the recipients it did not reach), or a failed, held or not-sent SMS or WhatsApp message (checked again as a first send is: refused when the customer opted out, or for free text outside the WhatsApp window, or when Twilio may have it already)',
      params: MessageParams,
      response: { 200: MessageView },
    }),
    (req) =>
      inTransaction(app.db, req, (trx, ctx, now) =>
        service.retryMessage(trx, ctx, req.params.id, { mail: mail(), phone: app.ctx }, now),
      ),
  )

  // The customer's side, on the portal's signed link: public messages only, never side conversations or notes.
  app.get(
    '/portal/:token/conversation',
    portalRoute('public', {
      summary: "The case's conversation as the customer sees it: public messages only, oldest first",
      params: TokenParams,
      response: { 200: PortalConversation },
    }),
    async (req, reply) => {
      void reply.headers(noStoreHeaders)
      return portalConversation(app.db, app.ctx.keys.links, req.params.token, new Date())
    },
  )

  app.post(
    '/portal/:token/messages',
    portalRoute(
      'public',
      {
        summary: 'The customer answers from the status page: a message on the case (rate-limited per case)',
        params: TokenParams,
        body: PortalMessageBody,
        response: { 201: PortalMessageView },
      },
      { text: 'It has still not arrived.' },
    ),
    async (req, reply) => {
      const input = { text: req.body.text, requestId: req.id }
      const message = await app.db
        .transaction()
        .execute((trx) => portalReply(trx, app.ctx.keys.links, req.params.token, input, new Date()))
      return reply.status(201).headers(noStoreHeaders).send(message)
    },
  )
}
