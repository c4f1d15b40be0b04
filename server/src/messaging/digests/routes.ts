import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { inTransaction } from '../../auth/actor.js'
import type { Actor } from '../../auth/actor.js'
import { AppError } from '../../errors.js'
import { routeOptions } from '../../http/route.js'
import { NullableTimestamp } from '../../http/schemas.js'
import { getDigestSettings, updateDigestSettings } from './service.js'

const route = routeOptions('notifications')

const DigestSettingsView = Type.Object({
  enabled: Type.Boolean({ description: 'Whether unread notifications are also emailed, as a digest' }),
  interval_minutes: Type.Integer({ description: 'At most one digest email in this many minutes' }),
  last_sent_at: NullableTimestamp,
})
const DigestSettingsBody = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    interval_minutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 1440 })),
  },
  { additionalProperties: false },
)

const person = (actor: Actor): string => {
  if (actor.type !== 'user' || !actor.id)
    throw new AppError('forbidden', 'Only people get notification emails; sign in as a person')
  return actor.id
}

/** The caller's own email digest of in-app notifications: on or off, and how often at most. */
export const digestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/notifications/email-digest',
    route('authenticated', {
      summary: 'My email digest settings',
      response: { 200: DigestSettingsView },
    }),
    async (req) => getDigestSettings(app.db, req.actor.merchantId, person(req.actor)),
  )

  app.put(
    '/notifications/email-digest',
    route(
      'authenticated',
      {
        summary: 'Turn my email digest on or off, or change how often it may come (5 to 1440 minutes)',
        body: DigestSettingsBody,
        response: { 200: DigestSettingsView },
      },
      { enabled: false },
    ),
    async (req) => {
      const userId = person(req.actor)
      return inTransaction(app.db, req, (trx, ctx) => updateDigestSettings(trx, ctx.merchantId, userId, req.body))
    },
  )
}
