import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { inTransaction } from '../auth/actor.js'
import { pagedList, sendUpserted, sourceKey } from '../http/handlers.js'
import { routeOptions } from '../http/route.js'
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

const route = routeOptions('customers')

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
    route('customers.read', {
      summary: 'List customers (merged duplicates left out)',
      querystring: CustomerListQuery,
      response: { 200: Page(CustomerView) },
    }),
    pagedList(app.db, listCustomers, (q) => ({ email: q.email, phone: q.phone, segment: q.segment })),
  )

  app.get(
    '/customers/duplicates',
    route('customers.read', {
      summary: 'Customers sharing an email or a phone: candidates to merge',
      response: { 200: DuplicateGroups },
    }),
    async (req) => ({ data: await findDuplicateCustomers(app.db, req.actor.merchantId) }),
  )

  app.get(
    '/customers/:id',
    route('customers.read', { summary: 'One customer', params: CustomerParams, response: { 200: CustomerView } }),
    async (req) => getCustomer(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/customers',
    route('customers.write', {
      summary: 'Create a customer, or update the one with this source id, email or phone',
      body: CustomerBody,
      response: { 200: CustomerView, 201: CustomerView },
    }),
    async (req, reply) => {
      const b = req.body
      const { customer, outcome } = await inTransaction(app.db, req, (trx, ctx, now) =>
        upsertCustomer(trx, ctx, { ...sourceKey(b), ...input(b) }, now),
      )
      return sendUpserted(reply, outcome, customer)
    },
  )

  app.patch(
    '/customers/:id',
    route('customers.write', {
      summary: 'Change a customer',
      params: CustomerParams,
      body: CustomerPatchBody,
      response: { 200: CustomerView },
    }),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) => updateCustomer(trx, ctx, req.params.id, input(req.body), now)),
  )

  app.post(
    '/customers/:id/merge',
    route('customers.write', {
      summary: 'Merge a duplicate into this customer: its source ids and orders follow',
      params: CustomerParams,
      body: MergeBody,
      response: { 200: CustomerView },
    }),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) =>
        mergeCustomers(trx, ctx, req.params.id, req.body.duplicate_id, now),
      ),
  )

  app.delete(
    '/customers/:id',
    route('customers.write', {
      summary: "Erase a customer's personal data (the record, its orders and the audit trail stay)",
      params: CustomerParams,
      response: { 200: CustomerView },
    }),
    async (req) => inTransaction(app.db, req, (trx, ctx, now) => redactCustomer(trx, ctx, req.params.id, now)),
  )
}
