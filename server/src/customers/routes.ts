import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requestContext } from '../auth/actor.js'
import { listPage } from '../http/pagination.js'
import { NullableTimestamp, Page, PageQueryWith, Timestamp, Uuid } from '../http/schemas.js'
import { findDuplicateCustomers, getCustomer, listCustomers } from './service/find-customers.js'
import { mergeCustomers } from './service/merge-customers.js'
import { redactCustomer } from './service/redact-customer.js'
import { updateCustomer } from './service/update-customer.js'
import { upsertCustomer } from './service/upsert-customer.js'
import type { Consent as ConsentFlags } from './types.js'

const Segment = Type.String({
  pattern: '^[a-z][a-z0-9_-]{0,39}$',
  description: 'vip, business, retail, reseller, or your own',
})
const Consent = Type.Object({ email: Type.Boolean(), sms: Type.Boolean(), whatsapp: Type.Boolean() })
export const CustomerView = Type.Object({
  id: Uuid,
  name: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  locale: Type.Union([Type.String(), Type.Null()]),
  time_zone: Type.Union([Type.String(), Type.Null()]),
  segment: Type.String(),
  consent: Consent,
  external_ids: Type.Array(Type.Object({ source: Type.String(), external_id: Type.String() })),
  merged_into_id: Type.Union([Uuid, Type.Null()]),
  redacted_at: NullableTimestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
})
const Params = Type.Object({ id: Uuid })
const Str = (max: number) => Type.Union([Type.String({ minLength: 1, maxLength: max }), Type.Null()])
const fields = {
  name: Type.Optional(Str(200)),
  email: Type.Optional(
    Type.Union([Type.String({ minLength: 3, maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' }), Type.Null()]),
  ),
  phone: Type.Optional(Str(32)),
  locale: Type.Optional(Str(35)),
  time_zone: Type.Optional(Str(64)),
  segment: Type.Optional(Segment),
  consent: Type.Optional(
    Type.Object(
      {
        email: Type.Optional(Type.Boolean()),
        sms: Type.Optional(Type.Boolean()),
        whatsapp: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
  ),
}
const input = (b: {
  name?: string | null
  email?: string | null
  phone?: string | null
  locale?: string | null
  time_zone?: string | null
  segment?: string
  consent?: Partial<ConsentFlags>
}) => ({
  name: b.name,
  email: b.email,
  phone: b.phone,
  locale: b.locale,
  timeZone: b.time_zone,
  segment: b.segment,
  consent: b.consent,
})

export const customerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/customers',
    {
      config: { permission: 'customers.read' },
      schema: {
        tags: ['customers'],
        summary: 'List customers (merged duplicates left out)',
        querystring: PageQueryWith({
          email: Type.Optional(Type.String({ maxLength: 320 })),
          phone: Type.Optional(Type.String({ maxLength: 32 })),
          segment: Type.Optional(Segment),
        }),
        response: { 200: Page(CustomerView) },
      },
    },
    async (req) =>
      listPage(req.query, (page) =>
        listCustomers(app.db, req.actor.merchantId, {
          ...page,
          email: req.query.email,
          phone: req.query.phone,
          segment: req.query.segment,
        }),
      ),
  )

  app.get(
    '/customers/duplicates',
    {
      config: { permission: 'customers.read' },
      schema: {
        tags: ['customers'],
        summary: 'Customers sharing an email or a phone: candidates to merge',
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                match: Type.Union([Type.Literal('email'), Type.Literal('phone')]),
                key: Type.String(),
                ids: Type.Array(Uuid),
              }),
            ),
          }),
        },
      },
    },
    async (req) => ({ data: await findDuplicateCustomers(app.db, req.actor.merchantId) }),
  )

  app.get(
    '/customers/:id',
    {
      config: { permission: 'customers.read' },
      schema: { tags: ['customers'], summary: 'One customer', params: Params, response: { 200: CustomerView } },
    },
    async (req) => getCustomer(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/customers',
    {
      config: { permission: 'customers.write' },
      schema: {
        tags: ['customers'],
        summary: 'Create a customer, or update the one with this source id, email or phone',
        body: Type.Object(
          {
            source: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$', default: 'api' })),
            external_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            ...fields,
          },
          { additionalProperties: false },
        ),
        response: { 200: CustomerView, 201: CustomerView },
      },
    },
    async (req, reply) => {
      const { customer, outcome } = await app.db
        .transaction()
        .execute((trx) =>
          upsertCustomer(
            trx,
            requestContext(req),
            { source: req.body.source ?? 'api', externalId: req.body.external_id, ...input(req.body) },
            new Date(),
          ),
        )
      return reply.status(outcome === 'created' ? 201 : 200).send(customer)
    },
  )

  app.patch(
    '/customers/:id',
    {
      config: { permission: 'customers.write' },
      schema: {
        tags: ['customers'],
        summary: 'Change a customer',
        params: Params,
        body: Type.Object(fields, { additionalProperties: false, minProperties: 1 }),
        response: { 200: CustomerView },
      },
    },
    async (req) =>
      app.db
        .transaction()
        .execute((trx) => updateCustomer(trx, requestContext(req), req.params.id, input(req.body), new Date())),
  )

  app.post(
    '/customers/:id/merge',
    {
      config: { permission: 'customers.write' },
      schema: {
        tags: ['customers'],
        summary: 'Merge a duplicate into this customer: its source ids and orders follow',
        params: Params,
        body: Type.Object({ duplicate_id: Uuid }, { additionalProperties: false }),
        response: { 200: CustomerView },
      },
    },
    async (req) =>
      app.db
        .transaction()
        .execute((trx) => mergeCustomers(trx, requestContext(req), req.params.id, req.body.duplicate_id, new Date())),
  )

  app.delete(
    '/customers/:id',
    {
      config: { permission: 'customers.write' },
      schema: {
        tags: ['customers'],
        summary: "Erase a customer's personal data (the record, its orders and the audit trail stay)",
        params: Params,
        response: { 200: CustomerView },
      },
    },
    async (req) =>
      app.db.transaction().execute((trx) => redactCustomer(trx, requestContext(req), req.params.id, new Date())),
  )
}
