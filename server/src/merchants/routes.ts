import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requestContext } from '../auth/actor.js'
import { listPage } from '../http/pagination.js'
import { Page, PageQuery } from '../http/schemas.js'
import { CurrencyList, MerchantView, RateParams, RateView, SetRateBody, UpdateMerchantBody } from './schemas.js'
import * as service from './service.js'

export const merchantRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/merchant',
    {
      config: { permission: 'merchant.read' },
      schema: { tags: ['workspace'], summary: "This workspace's settings", response: { 200: MerchantView } },
    },
    async (req) => service.getMerchant(app.db, req.actor.merchantId),
  )

  app.patch(
    '/merchant',
    {
      config: { permission: 'merchant.manage' },
      schema: {
        tags: ['workspace'],
        summary: 'Change name, brand, time zone or currencies',
        body: UpdateMerchantBody,
        response: { 200: MerchantView },
      },
    },
    async (req) =>
      app.db.transaction().execute((trx) =>
        service.updateMerchant(
          trx,
          requestContext(req),
          {
            name: req.body.name,
            brandName: req.body.brand_name,
            timeZone: req.body.time_zone,
            defaultCurrency: req.body.default_currency,
            currencies: req.body.currencies,
          },
          new Date(),
        ),
      ),
  )

  app.get(
    '/currencies',
    {
      config: { permission: 'merchant.read' },
      schema: {
        tags: ['workspace'],
        summary: 'ISO 4217 currencies and their minor-unit exponents',
        response: { 200: CurrencyList },
      },
    },
    async () => ({ data: await service.listCurrencies(app.db) }),
  )

  app.get(
    '/exchange-rates',
    {
      config: { permission: 'merchant.read' },
      schema: {
        tags: ['workspace'],
        summary: 'Manual exchange rates',
        querystring: PageQuery,
        response: { 200: Page(RateView) },
      },
    },
    async (req) => listPage(req.query, (page) => service.listExchangeRates(app.db, req.actor.merchantId, page)),
  )

  app.post(
    '/exchange-rates',
    {
      config: { permission: 'merchant.manage' },
      schema: {
        tags: ['workspace'],
        summary: "Set the rate for a currency pair from a date (replaces that day's rate)",
        body: SetRateBody,
        response: { 201: RateView },
      },
    },
    async (req, reply) => {
      const rate = await app.db.transaction().execute((trx) =>
        service.setExchangeRate(
          trx,
          requestContext(req),
          {
            base: req.body.base_currency,
            quote: req.body.quote_currency,
            rate: req.body.rate,
            effectiveOn: req.body.effective_on,
          },
          new Date(),
        ),
      )
      return reply.status(201).send(rate)
    },
  )

  app.delete(
    '/exchange-rates/:id',
    {
      config: { permission: 'merchant.manage' },
      schema: {
        tags: ['workspace'],
        summary: 'Delete an exchange rate',
        params: RateParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await app.db
        .transaction()
        .execute((trx) => service.deleteExchangeRate(trx, requestContext(req), req.params.id, new Date()))
      return reply.status(204).send(null)
    },
  )
}
