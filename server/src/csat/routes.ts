import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { inTransaction } from '../auth/actor.js'
import { noStoreHeaders } from '../http/headers.js'
import { enforceLinkLimits } from '../http/request-limits.js'
import { routeOptions } from '../http/route.js'
import {
  PublicSurveyView,
  SettingsBody,
  SettingsView,
  StatsQuery,
  StatsView,
  SurveyAnswerBody,
  SurveyTokenParams,
} from './schemas.js'
import * as service from './service.js'

const route = routeOptions('csat')
// The survey routes answer anyone holding a link: per link, a page load, an answer and a few retries, in ten minutes.
export const surveyLimits = { perAddress: 300, perLink: 30, windowSeconds: 600 }

export const csatRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/csat/settings',
    route('merchant.read', {
      summary: 'Satisfaction surveys after resolution: on or off, CSAT or NPS, delay, low-score threshold, expiry',
      response: { 200: SettingsView },
    }),
    async (req) => service.getCsatSettings(app.db, req.actor.merchantId),
  )

  app.put(
    '/csat/settings',
    route(
      'merchant.manage',
      { summary: 'Change the survey settings (the fields given)', body: SettingsBody, response: { 200: SettingsView } },
      { kind: 'nps', delay_minutes: 60 },
    ),
    async (req) => inTransaction(app.db, req, (trx, ctx, now) => service.updateCsatSettings(trx, ctx, req.body, now)),
  )

  app.get(
    '/csat/stats',
    route('analytics.read', {
      summary: 'Survey figures per case type, carrier, team, agent or week: sent, answered, average, CSAT % or NPS',
      querystring: StatsQuery,
      response: { 200: StatsView },
    }),
    async (req) =>
      service.csatStats(app.db, req.actor.merchantId, req.query.group_by, {
        from: req.query.from ? new Date(req.query.from) : undefined,
        to: req.query.to ? new Date(req.query.to) : undefined,
      }),
  )

  app.get(
    '/surveys/:token',
    route('public', {
      summary: "The survey a customer's link opens: the store, the question, its scale, and the answer if given",
      params: SurveyTokenParams,
      response: { 200: PublicSurveyView },
    }),
    async (req, reply) => {
      void reply.headers(noStoreHeaders)
      await enforceLinkLimits(app.db, 'survey', surveyLimits, req)
      return service.viewSurvey(app.db, app.ctx.keys.links, req.params.token, new Date())
    },
  )

  app.post(
    '/surveys/:token/answer',
    route(
      'public',
      {
        summary: 'The customer answers the survey, once (a second answer is refused)',
        params: SurveyTokenParams,
        body: SurveyAnswerBody,
        response: { 200: PublicSurveyView },
      },
      { score: 4, comment: 'Quick and friendly.' },
    ),
    async (req, reply) => {
      void reply.headers(noStoreHeaders)
      await enforceLinkLimits(app.db, 'survey', surveyLimits, req)
      const input = { score: req.body.score, comment: req.body.comment, requestId: req.id }
      return app.db
        .transaction()
        .execute((trx) => service.answerSurvey(trx, app.ctx.keys.links, req.params.token, input, new Date()))
    },
  )
}
