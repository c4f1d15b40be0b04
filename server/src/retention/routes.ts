import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { inTransaction } from '../auth/actor.js'
import { routeOptions, workspacePage } from '../http/route.js'
import {
  HoldPage,
  HoldParams,
  HoldQuery,
  HoldView,
  PlaceHoldBody,
  PoliciesBody,
  PoliciesView,
  ReleaseHoldBody,
  RunsQuery,
  RunsView,
} from './schemas.js'
import { listHolds, placeHold, releaseHold } from './service/holds.js'
import { listPolicies, replacePolicies } from './service/policies.js'
import { listRuns } from './service/purge.js'

const route = routeOptions('retention')

export const retentionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/holds',
    route(
      'holds.manage',
      {
        summary:
          'Place a legal hold on a case, or on a customer and every case of theirs: no purge, deletion or erasure',
        body: PlaceHoldBody,
        response: { 201: HoldView },
      },
      { subject_type: 'case', reason: 'Carrier dispute: keep the evidence until the claim is settled' },
    ),
    async (req, reply) => {
      const input = { subjectType: req.body.subject_type, subjectId: req.body.subject_id, reason: req.body.reason }
      const hold = await inTransaction(app.db, req, (trx, ctx, now) => placeHold(trx, ctx, input, now))
      return reply.code(201).send(hold)
    },
  )

  app.post(
    '/holds/:id/release',
    route(
      'holds.manage',
      {
        summary: 'Release a legal hold (an erasure it deferred is carried out when nothing else holds the customer)',
        params: HoldParams,
        body: ReleaseHoldBody,
        response: { 200: HoldView },
      },
      { reason: 'Claim settled' },
    ),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) => releaseHold(trx, ctx, req.params.id, req.body.reason, now)),
  )

  app.get(
    '/holds',
    route('holds.read', {
      summary: 'Legal holds, by subject and whether still in force',
      querystring: HoldQuery,
      response: { 200: HoldPage },
    }),
    async (req) => workspacePage(app.db, req, listHolds),
  )

  app.get(
    '/retention/policies',
    route('retention.manage', {
      summary: 'The retention policies in force: the workspace’s own and the documented defaults for the rest',
      response: { 200: PoliciesView },
    }),
    async (req) => ({ data: await listPolicies(app.db, req.actor.merchantId) }),
  )

  app.put(
    '/retention/policies',
    route(
      'retention.manage',
      {
        summary: "Replace the workspace's retention policies (kinds and scopes left out follow the defaults)",
        body: PoliciesBody,
        response: { 200: PoliciesView },
      },
      { policies: [{ kind: 'message_bodies', keep_days: 730, after: 'case_closed' }] },
    ),
    async (req) => ({
      data: await inTransaction(app.db, req, (trx, ctx, now) => replacePolicies(trx, ctx, req.body.policies, now)),
    }),
  )

  app.get(
    '/retention/runs',
    route('retention.manage', {
      summary: 'Purge runs, newest first: what each removed (counts and sample ids) and kept for a legal hold',
      querystring: RunsQuery,
      response: { 200: RunsView },
    }),
    async (req) => ({
      data: await listRuns(app.db, req.actor.merchantId, req.query.kind, req.query.limit ?? 50),
    }),
  )
}
