import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { listPage } from '../http/pagination.js'
import { Page, PageQuery, Timestamp, Uuid } from '../http/schemas.js'
import * as service from './service.js'

const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' })
const MerchantView = Type.Object({
  id: Uuid,
  slug: Type.String(),
  name: Type.String(),
  brand_name: Type.String(),
  time_zone: Type.String(),
  default_currency: Currency,
  currencies: Type.Array(
    Type.Object({
      code: Currency,
      exponent: Type.Integer({ description: 'Minor-unit exponent: JPY 0, EUR 2, KWD 3' }),
    }),
  ),
  created_at: Timestamp,
  updated_at: Timestamp,
})
const RateView = Type.Object({
  id: Uuid,
  base_currency: Currency,
  quote_currency: Currency,
  rate: Type.String({ description: 'Units of quote per one unit of base, exact decimal' }),
  effective_on: Type.String({ format: 'date' }),
  created_at: Timestamp,
})

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
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            brand_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            default_currency: Type.Optional(Currency),
            currencies: Type.Optional(Type.Array(Currency, { minItems: 1, maxItems: 50, uniqueItems: true })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: MerchantView },
      },
    },
    async (req) =>
      app.db.transaction().execute((trx) =>
        service.updateMerchant(
          trx,
          req.actor,
          {
            name: req.body.name,
            brandName: req.body.brand_name,
            timeZone: req.body.time_zone,
            defaultCurrency: req.body.default_currency,
            currencies: req.body.currencies,
            requestId: req.id,
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
        response: { 200: Type.Object({ data: Type.Array(Type.Object({ code: Currency, exponent: Type.Integer() })) }) },
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
        body: Type.Object(
          {
            base_currency: Currency,
            quote_currency: Currency,
            rate: Type.String({ pattern: '^\\d{1,18}(\\.\\d{1,12})?$', description: 'Decimal string, e.g. "1.1675"' }),
            effective_on: Type.String({ format: 'date' }),
          },
          { additionalProperties: false },
        ),
        response: { 201: RateView },
      },
    },
    async (req, reply) => {
      const rate = await app.db.transaction().execute((trx) =>
        service.setExchangeRate(
          trx,
          req.actor,
          {
            base: req.body.base_currency,
            quote: req.body.quote_currency,
            rate: req.body.rate,
            effectiveOn: req.body.effective_on,
            requestId: req.id,
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
        params: Type.Object({ id: Uuid }),
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await app.db
        .transaction()
        .execute((trx) => service.deleteExchangeRate(trx, req.actor, req.params.id, new Date(), req.id))
      return reply.status(204).send(null)
    },
  )
}
