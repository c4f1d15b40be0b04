import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import pg from 'pg'
import type { ServerResponse } from 'node:http'
import { AppError } from '../errors.js'
import { routeOptions } from '../http/route.js'
import { LiveHub } from './hub.js'
import type { LiveMessage } from './publish.js'
import { EventStream, StreamQuery } from './schemas.js'

const heartbeatMs = 25_000

const liveRoute = routeOptions('live')

/**
 * `GET /api/v1/stream`: Server-Sent Events for the console. Case events of the caller's workspace
 * (case.opened, case.updated, case.assigned…) and the caller's own notifications, as they commit in
 * any process. There is no replay: after a `reset` event or a reconnect, the console refetches.
 */
export const liveRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const hub = new LiveHub(() => new pg.Client(app.ctx.pool.options), app.log)
  const open = new Set<ServerResponse>()
  app.addHook('preClose', async () => {
    for (const res of open) res.end()
  })
  app.addHook('onClose', async () => hub.close())

  app.get(
    '/stream',
    liveRoute('cases.read', {
      summary: "Server-Sent Events: case events of the workspace and the caller's notifications",
      querystring: StreamQuery,
      response: { 200: EventStream },
    }),
    async (req, reply) => {
      await hub.listen().catch((err: unknown) => {
        req.log.error({ err }, 'live stream cannot listen')
        throw new AppError('not_ready', 'Live updates are not available right now; retry shortly')
      })
      const res = reply.raw
      let seq = 0
      const write = (event: string, data: unknown) =>
        res.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
      reply.hijack()
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      res.write('retry: 3000\n\n')
      open.add(res)
      const unsubscribe = hub.subscribe({
        merchantId: req.actor.merchantId,
        userId: req.actor.type === 'user' ? req.actor.id : null,
        send: (m: LiveMessage) => write(m.type, m.data),
        reset: () => write('reset', {}),
      })
      write('ready', { merchant_id: req.actor.merchantId })
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs)
      res.on('close', () => {
        clearInterval(heartbeat)
        unsubscribe()
        open.delete(res)
      })
    },
  )
}
