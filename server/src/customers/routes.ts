import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext } from '../auth/actor.js'
import { listPage } from '../http/pagination.js'
import { Page } from '../http/schemas.js'
import { findDuplicateCustomers, getCustomer, listCustomers } from './service/find-customers.js'
import { mergeCustomers } from './service/merge-customers.js'
import { redactCustomer } from './service/redact-customer.js'
import { updateCustomer } from './service/update-customer.js'
import { upsertCustomer } from './service/upsert-customer.js'
import type { Consent } from './types.js'
import {
  CustomerBody,
  CustomerListQuery,
  CustomerPatchBody,
  CustomerView,
  DuplicateGroups,
  MergeBody,
  CustomerParams,
} from './schemas.js'

const input = (b: {
  name?: string | null
  email?: string | null
  phone?: string | null
  locale?: string | null
  time_zone?: string | null
  segment?: string
  consent?: Partial<Consent>
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
        querystring: CustomerListQuery,
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
        response: { 200: DuplicateGroups },
      },
    },
    async (req) => ({ data: await findDuplicateCustomers(app.db, req.actor.merchantId) }),
  )

  app.get(
    '/customers/:id',
    {
      config: { permission: 'customers.read' },
      schema: { tags: ['customers'], summary: 'One customer', params: CustomerParams, response: { 200: CustomerView } },
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
        body: CustomerBody,
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
        params: CustomerParams,
        body: CustomerPatchBody,
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
        params: CustomerParams,
        body: MergeBody,
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
        params: CustomerParams,
        response: { 200: CustomerView },
      },
    },
    async (req) =>
      app.db.transaction().execute((trx) => redactCustomer(trx, requestContext(req), req.params.id, new Date())),
  )
}
