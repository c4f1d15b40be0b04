import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { inTransaction } from '../../auth/actor.js'
import { routeOptions } from '../../http/route.js'
import { CaseParams } from '../schemas.js'
import { phoneChannelState } from './channels.js'
import { PhoneChannelsView, PhoneSettingsBody, PhoneSettingsView } from './schemas.js'
import { getPhoneSettings, updatePhoneSettings } from './settings.js'

const route = routeOptions('messages')

export const phoneRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/cases/:id/phone-channels',
    route('cases.read', {
      summary:
        "A case's SMS and WhatsApp state for the composer: the customer's number, consent and opt-outs, the WhatsApp window and templates, quiet hours, senders",
      params: CaseParams,
      response: { 200: PhoneChannelsView },
    }),
    (req) =>
      app.db
        .transaction()
        .execute((trx) => phoneChannelState(trx, req.actor.merchantId, req.params.id, app.ctx, new Date())),
  )

  app.get(
    '/messaging/phone-settings',
    route('merchant.read', {
      summary: 'Quiet hours for SMS and WhatsApp, and the order of channels automatic messages try',
      response: { 200: PhoneSettingsView },
    }),
    (req) => getPhoneSettings(app.db, req.actor.merchantId),
  )

  app.put(
    '/messaging/phone-settings',
    route(
      'merchant.manage',
      {
        summary: 'Change quiet hours (start, end, on or off) and the channel order of automatic messages',
        body: PhoneSettingsBody,
        response: { 200: PhoneSettingsView },
      },
      { quiet_hours: { enabled: true, start: '21:00', end: '08:00' }, channel_order: ['whatsapp', 'sms', 'email'] },
    ),
    (req) => inTransaction(app.db, req, (trx, ctx, now) => updatePhoneSettings(trx, ctx, req.body, now)),
  )
}
