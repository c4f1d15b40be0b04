import { inTransaction } from '../../auth/actor.js'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as service from '../service.js'
import { SettingsBody, SettingsView } from '../schemas/case-settings.js'
import { caseRoute } from './request.js'

/** The exception policy, lifecycle and routing settings. */
export const settingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/case-settings',
    caseRoute('cases.read', {
      summary: 'The exception policy (which carrier signals open which case types) and lifecycle settings',
      response: { 200: SettingsView },
    }),
    async (req) => service.getCaseSettings(app.db, req.actor.merchantId),
  )

  app.put(
    '/case-settings',
    caseRoute('cases.configure', {
      summary: 'Change the exception policy and lifecycle settings',
      body: SettingsBody,
      response: { 200: SettingsView },
    }),
    async (req) => inTransaction(app.db, req, (trx, ctx, now) => service.updateCaseSettings(trx, ctx, req.body, now)),
  )
}
