import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext } from '../../auth/actor.js'
import * as service from '../service.js'
import { SettingsBody, SettingsView } from '../schemas/case-settings.js'

/** The exception policy, lifecycle and routing settings. */
export const settingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/case-settings',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['cases'],
        summary: 'The exception policy (which carrier signals open which case types) and lifecycle settings',
        response: { 200: SettingsView },
      },
    },
    async (req) => service.getCaseSettings(app.db, req.actor.merchantId),
  )

  app.put(
    '/case-settings',
    {
      config: { permission: 'cases.configure' },
      schema: {
        tags: ['cases'],
        summary: 'Change the exception policy and lifecycle settings',
        body: SettingsBody,
        response: { 200: SettingsView },
      },
    },
    async (req) =>
      app.db.transaction().execute((trx) => service.updateCaseSettings(trx, requestContext(req), req.body, new Date())),
  )
}
