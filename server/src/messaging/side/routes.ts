import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { inTransaction } from '../../auth/actor.js'
import { routeOptions } from '../../http/route.js'
import { sideReplyAddress } from '../email/reply-address.js'
import { CaseParams } from '../schemas.js'
import { mailSetupOf } from '../service/send-message.js'
import {
  OpenSideBody,
  SideConversationDetail,
  SideConversationList,
  SideConversationSent,
  SideConversationView,
  SideParams,
  SideReplyBody,
} from './schemas.js'
import * as service from './service.js'

const route = routeOptions('side conversations')
const sent = (r: Awaited<ReturnType<typeof service.openSideConversation>>) => ({
  side_conversation: r.sideConversation,
  message: r.message,
})

/** Side conversations: a case's email threads with third parties (carriers, warehouses), never the customer's. */
export const sideConversationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const sideApp = (): service.SideApp => ({ mail: mailSetupOf(app.ctx.config), render: app.ctx })

  app.get(
    '/cases/:id/side-conversations',
    route('cases.read', {
      summary: "A case's side conversations, newest first, with how many are open, answered and closed",
      params: CaseParams,
      response: { 200: SideConversationList },
    }),
    (req) => service.listCaseSideConversations(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/cases/:id/side-conversations',
    route(
      'messages.send',
      {
        summary:
          'Start a side conversation: email a third party from a template rendered for the case, or free text; their reply threads back into it',
        params: CaseParams,
        body: OpenSideBody,
        response: { 201: SideConversationSent },
      },
      {
        counterparty_kind: 'carrier',
        counterparty_name: 'DHL claims desk',
        to: [{ address: 'claims@carrier.example' }],
        subject: 'Parcel investigation',
        text: 'Please tell us where the parcel is.',
      },
    ),
    async (req, reply) => {
      const b = req.body
      const input: service.OpenSideInput = {
        counterpartyKind: b.counterparty_kind,
        counterpartyName: b.counterparty_name,
        to: b.to,
        cc: b.cc,
        subject: b.subject,
        text: b.text,
        html: b.html,
        templateId: b.template_id,
        templateVersion: b.template_version,
      }
      const result = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.openSideConversation(trx, ctx, req.params.id, input, sideApp(), now),
      )
      return reply.status(201).send(sent(result))
    },
  )

  app.get(
    '/side-conversations/:id',
    route('cases.read', {
      summary: 'One side conversation with its thread, oldest first',
      params: SideParams,
      response: { 200: SideConversationDetail },
    }),
    async (req) => {
      const { merchantId } = req.actor
      const side = await service.getSideConversation(app.db, merchantId, req.params.id)
      const domain = app.ctx.config.email.inboundDomain
      return { ...side, reply_address: sideReplyAddress(app.ctx.keys.links, merchantId, side.id, domain) }
    },
  )

  app.post(
    '/side-conversations/:id/messages',
    route(
      'messages.send',
      {
        summary: 'Write on a side conversation (to its participants unless told): it waits on the third party again',
        params: SideParams,
        body: SideReplyBody,
        response: { 201: SideConversationSent },
      },
      { text: 'Any news on the investigation?' },
    ),
    async (req, reply) => {
      const result = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.replyToSideConversation(trx, ctx, req.params.id, req.body, sideApp().mail, now),
      )
      return reply.status(201).send(sent(result))
    },
  )

  app.post(
    '/side-conversations/:id/close',
    route('messages.send', {
      summary: 'Close a side conversation (a new message from either side reopens it)',
      params: SideParams,
      response: { 200: SideConversationView },
    }),
    (req) => inTransaction(app.db, req, (trx, ctx, now) => service.closeSideConversation(trx, ctx, req.params.id, now)),
  )

  app.post(
    '/side-conversations/:id/reopen',
    route('messages.send', {
      summary: 'Reopen a closed side conversation: it waits on the third party again',
      params: SideParams,
      response: { 200: SideConversationView },
    }),
    (req) =>
      inTransaction(app.db, req, (trx, ctx, now) => service.reopenSideConversation(trx, ctx, req.params.id, now)),
  )
}
