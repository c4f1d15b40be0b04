import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { inTransaction } from '../auth/actor.js'
import { listPage } from '../http/pagination.js'
import { camelKeys, routeOptions } from '../http/route.js'
import {
  CaseParams,
  ConversationQuery,
  FailedQuery,
  MessagePage,
  MessageParams,
  MessageView,
  RawMessage,
  SendMessageBody,
} from './schemas.js'
import * as service from './service.js'

const route = routeOptions('messages')

export const messagingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const mail = (): service.MailSetup => ({
    configured: !!app.ctx.config.smtpUrl,
    domain: app.ctx.config.email.inboundDomain,
  })

  app.get(
    '/cases/:id/messages',
    route('cases.read', {
      summary: "A case's conversation, oldest first: messages with attachments and delivery states",
      params: CaseParams,
      querystring: ConversationQuery,
      response: { 200: MessagePage },
    }),
    (req) => {
      const { limit: _l, cursor: _c, ...filters } = req.query
      return listPage(req.query, (page) =>
        service.listCaseMessages(app.db, req.actor.merchantId, req.params.id, { ...filters, ...page }),
      )
    },
  )

  app.post(
    '/cases/:id/messages',
    route(
      'messages.send',
      {
        summary:
          "Email on a case: a reply to the customer (public, default: to the case's customer) or a side conversation; queued, not_sent without a mail server, held when a link fails QA",
        params: CaseParams,
        body: SendMessageBody,
        response: { 201: MessageView },
      },
      { text: 'Your replacement is on its way.', to: [{ address: 'customer@example.com' }] },
    ),
    async (req, reply) => {
      const { attachment_ids, set_waiting, ...rest } = req.body
      const input: service.SendInput = { ...camelKeys(rest), attachmentIds: attachment_ids, setWaiting: set_waiting }
      const message = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.sendMessage(trx, ctx, req.params.id, input, mail(), now),
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
      summary: 'Send a failed, bounced, held or not-sent email again (to the recipients it did not reach)',
      params: MessageParams,
      response: { 200: MessageView },
    }),
    (req) => inTransaction(app.db, req, (trx, ctx, now) => service.retryMessage(trx, ctx, req.params.id, mail(), now)),
  )
}
