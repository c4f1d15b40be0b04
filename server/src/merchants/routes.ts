import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { inTransaction } from '../auth/actor.js'
import { camelKeys, routeOptions, workspacePage } from '../http/route.js'
import { Page, PageQuery } from '../http/schemas.js'
import { CurrencyList, MerchantView, RateParams, RateView, SetRateBody, UpdateMerchantBody } from './schemas.js'
import * as service from './service.js'

const workspaceRoute = routeOptions('workspace')

export const merchantRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/merchant',
    workspaceRoute('merchant.read', { summary: "This workspace's settings", response: { 200: MerchantView } }),
    async (req) => service.getMerchant(app.db, req.actor.merchantId),
  )

  app.patch(
    '/merchant',
    workspaceRoute('merchant.manage', {
      summary: 'Change name, brand, time zone or currencies',
      body: UpdateMerchantBody,
      response: { 200: MerchantView },
    }),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) => service.updateMerchant(trx, ctx, camelKeys(req.body), now)),
  )

  app.get(
    '/currencies',
    workspaceRoute('merchant.read', {
      summary: 'ISO 4217 currencies and their minor-unit exponents',
      response: { 200: CurrencyList },
    }),
    async () => ({ data: await service.listCurrencies(app.db) }),
  )

  app.get(
    '/exchange-rates',
    workspaceRoute('merchant.read', {
      summary: 'Manual exchange rates',
      querystring: PageQuery,
      response: { 200: Page(RateView) },
    }),
    async (req) => workspacePage(app.db, req, service.listExchangeRates),
  )

  app.post(
    '/exchange-rates',
    workspaceRoute('merchant.manage', {
      summary: "Set the rate for a currency pair from a date (replaces that day's rate)",
      body: SetRateBody,
      response: { 201: RateView },
    }),
    async (req, reply) => {
      const input = {
        base: req.body.base_currency,
        quote: req.body.quote_currency,
        rate: req.body.rate,
        effectiveOn: req.body.effective_on,
      }
      const rate = await inTransaction(app.db, req, (trx, ctx, now) => service.setExchangeRate(trx, ctx, input, now))
      return reply.status(201).send(rate)
    },
  )

  app.delete(
    '/exchange-rates/:id',
    workspaceRoute('merchant.manage', {
      summary: 'Delete an exchange rate',
      params: RateParams,
      response: { 204: Type.Null() },
    }),
    async (req, reply) => {
      await inTransaction(app.db, req, (trx, ctx, now) => service.deleteExchangeRate(trx, ctx, req.params.id, now))
      return reply.status(204).send(null)
    },
  )
}
