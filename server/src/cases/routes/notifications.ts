import { inTransaction } from '../../auth/actor.js'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { listPage } from '../../http/pagination.js'
import * as service from '../service.js'
import { IdParams, NoContent } from '../schemas/common.js'
import { MarkReadBody, MarkReadReply, NotificationsPage, NotificationsQuery } from '../schemas/notifications.js'
import { caseRoute, personOnly } from './request.js'

/** Following cases, and the caller's own notifications. */
export const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.put(
    '/cases/:id/followers/me',
    caseRoute('cases.read', { summary: 'Follow a case', params: IdParams, response: { 204: NoContent } }),
    async (req, reply) => {
      await service.findCaseOrThrow(app.db, req.actor.merchantId, req.params.id)
      const userId = personOnly(req.actor)
      await inTransaction(app.db, req, (trx, ctx, now) =>
        service.followCase(trx, ctx.merchantId, req.params.id, [userId], now),
      )
      return reply.status(204).send(null)
    },
  )

  app.delete(
    '/cases/:id/followers/me',
    caseRoute('cases.read', { summary: 'Stop following a case', params: IdParams, response: { 204: NoContent } }),
    async (req, reply) => {
      await service.findCaseOrThrow(app.db, req.actor.merchantId, req.params.id)
      const userId = personOnly(req.actor)
      await inTransaction(app.db, req, (trx, ctx) => service.unfollowCase(trx, ctx.merchantId, req.params.id, userId))
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/notifications',
    caseRoute('cases.read', {
      tags: ['notifications'],
      summary: 'My notifications, newest first, with the unread count',
      querystring: NotificationsQuery,
      response: { 200: NotificationsPage },
    }),
    async (req) => {
      const userId = personOnly(req.actor)
      const page = await listPage(req.query, (p) =>
        service.listNotifications(app.db, req.actor.merchantId, userId, { unread: req.query.unread, ...p }),
      )
      return { ...page, unread_count: await service.countUnreadNotifications(app.db, req.actor.merchantId, userId) }
    },
  )

  app.post(
    '/notifications/read',
    caseRoute('cases.read', {
      tags: ['notifications'],
      summary: 'Mark my notifications read (these ids, or all)',
      body: MarkReadBody,
      response: { 200: MarkReadReply },
    }),
    async (req) => {
      const userId = personOnly(req.actor)
      const marked = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.markNotificationsRead(trx, ctx.merchantId, userId, req.body.ids ?? 'all', now),
      )
      return { marked, unread_count: await service.countUnreadNotifications(app.db, req.actor.merchantId, userId) }
    },
  )
}
