import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requestContext, requirePermission, type Actor } from '../auth/actor.js'
import { Uuid } from '../http/schemas.js'
import { getUser } from '../users/service.js'
import {
  AgentView,
  BulkActionT,
  BulkResultView,
  CaseDetailView,
  CaseView,
  Key,
  PriorityT,
  SavedViewT,
  Text,
  ViewFilters,
} from './schemas.js'
import * as service from './service.js'
import { caseSorts } from './store/case-list.js'
import { assignmentStrategies } from './tables.js'
import { toCase } from './types.js'

const Params = Type.Object({ id: Uuid })

/** Assigning to anyone but oneself, or moving a case between teams, needs cases.assign. */
function checkAssignPermission(actor: Actor, action: service.BulkAction) {
  if (action.type === 'assign' && (action.assignee_id !== actor.id || action.team_id !== undefined))
    requirePermission(actor, 'cases.assign')
}

const bulkView = (r: Awaited<ReturnType<typeof service.bulkUpdate>>) => ({
  ...r,
  results: r.results.map((i) => (i.ok ? { id: i.id, ok: true, case: toCase(i.case) } : i)),
})

/** Routes for working many cases at once: bulk actions, incidents, splits, routing and saved views. */
export const workRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const detail = (merchantId: string, id: string) => service.getCase(app.db, merchantId, id)

  app.post(
    '/cases/bulk',
    {
      config: {
        permission: 'cases.write',
        example: { case_ids: ['00000000-0000-7000-8000-000000000000'], action: { type: 'tags', add: ['vip'] } },
      },
      schema: {
        tags: ['cases'],
        summary: 'One action on up to 500 cases, each in its own transaction, with a result per case',
        body: Type.Object(
          { case_ids: Type.Array(Uuid, { minItems: 1, maxItems: 500 }), action: BulkActionT },
          { additionalProperties: false },
        ),
        response: { 200: BulkResultView },
      },
    },
    async (req) => {
      checkAssignPermission(req.actor, req.body.action)
      return bulkView(
        await service.bulkUpdate(app.db, requestContext(req), req.body.case_ids, req.body.action, new Date()),
      )
    },
  )

  // Incidents: a parent case groups many (one carrier outage), and its actions fan out
  app.post(
    '/cases/:id/children',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary: 'Group cases under this incident (one level deep)',
        params: Params,
        body: Type.Object(
          { case_ids: Type.Array(Uuid, { minItems: 1, maxItems: 500 }) },
          { additionalProperties: false },
        ),
        response: { 200: CaseDetailView },
      },
    },
    async (req) => {
      await app.db
        .transaction()
        .execute((trx) =>
          service.attachToIncident(trx, requestContext(req), req.params.id, req.body.case_ids, new Date()),
        )
      return detail(req.actor.merchantId, req.params.id)
    },
  )

  app.delete(
    '/cases/:id/children/:childId',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary: 'Take a case out of this incident',
        params: Type.Object({ id: Uuid, childId: Uuid }),
        response: { 200: CaseDetailView },
      },
    },
    async (req) => {
      await app.db
        .transaction()
        .execute((trx) =>
          service.detachFromIncident(trx, requestContext(req), req.params.id, req.params.childId, new Date()),
        )
      return detail(req.actor.merchantId, req.params.id)
    },
  )

  app.post(
    '/cases/:id/children/actions',
    {
      config: {
        permission: 'cases.write',
        example: { action: { type: 'note', body: 'The carrier confirmed the outage is over' } },
      },
      schema: {
        tags: ['cases'],
        summary:
          "Fan an action out to the incident's children still being worked (all of them, to reopen), with a result per case",
        params: Params,
        body: Type.Object({ action: BulkActionT }, { additionalProperties: false }),
        response: { 200: BulkResultView },
      },
    },
    async (req) => {
      checkAssignPermission(req.actor, req.body.action)
      return bulkView(
        await service.fanOutToChildren(app.db, requestContext(req), req.params.id, req.body.action, new Date()),
      )
    },
  )

  app.post(
    '/cases/:id/split',
    {
      config: { permission: 'cases.write', example: { subject: 'Second parcel arrived damaged' } },
      schema: {
        tags: ['cases'],
        summary: 'Split a new linked case off this one: chosen links move to it, chosen timeline entries are copied',
        params: Params,
        body: Type.Object(
          {
            subject: Text(300),
            case_type: Type.Optional(Key),
            priority: Type.Optional(PriorityT),
            description: Type.Optional(Text(10_000)),
            timeline_entry_ids: Type.Optional(Type.Array(Uuid, { maxItems: 200 })),
            links: Type.Optional(
              Type.Array(Type.Object({ entity_type: Key, entity_id: Uuid }, { additionalProperties: false }), {
                maxItems: 50,
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ original: CaseView, split: CaseDetailView }) },
      },
    },
    async (req, reply) => {
      const b = req.body
      const r = await app.db.transaction().execute((trx) =>
        service.splitCase(
          trx,
          requestContext(req),
          req.params.id,
          {
            subject: b.subject,
            caseType: b.case_type,
            priority: b.priority,
            description: b.description,
            timelineEntryIds: b.timeline_entry_ids,
            links: b.links?.map((l) => ({ entityType: l.entity_type, entityId: l.entity_id })),
          },
          new Date(),
        ),
      )
      return reply
        .status(201)
        .send({ original: toCase(r.original), split: await detail(req.actor.merchantId, r.split.id) })
    },
  )

  // Assignment: round-robin or least-loaded within a team, or by the routing settings
  app.post(
    '/cases/:id/auto-assign',
    {
      config: { permission: 'cases.assign', example: {} },
      schema: {
        tags: ['cases'],
        summary:
          "Assign by a team's strategy (round-robin, least-loaded), or by the first routing rule that matches the case",
        params: Params,
        body: Type.Object(
          { team_id: Type.Optional(Uuid), strategy: Type.Optional(Type.Enum([...assignmentStrategies])) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            case: CaseDetailView,
            rule: Type.Union([Type.String(), Type.Null()]),
            assigned: Type.Boolean({
              description: 'false: nobody in the team was available; the case went to the team unassigned',
            }),
          }),
        },
      },
    },
    async (req) => {
      const r = await app.db
        .transaction()
        .execute((trx) =>
          service.autoAssignCase(
            trx,
            requestContext(req),
            req.params.id,
            { teamId: req.body.team_id, strategy: req.body.strategy },
            new Date(),
          ),
        )
      return { case: await detail(req.actor.merchantId, r.case.id), rule: r.rule, assigned: r.assigned }
    },
  )

  app.get(
    '/teams/:id/agents',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['cases'],
        summary: "A team's people with their open cases, capacity and presence, in round-robin order",
        params: Params,
        response: { 200: Type.Object({ data: Type.Array(AgentView) }) },
      },
    },
    async (req) => ({ data: await service.teamAgents(app.db, req.actor.merchantId, req.params.id, new Date()) }),
  )

  app.put(
    '/case-agents/:userId',
    {
      config: { permission: 'cases.write', example: { away: true } },
      schema: {
        tags: ['cases'],
        summary: "A person's case capacity and presence (oneself with cases.write; others with cases.assign)",
        params: Type.Object({ userId: Uuid }),
        body: Type.Object(
          {
            capacity: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
            away: Type.Optional(Type.Boolean()),
            away_until: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: {
          200: Type.Object({
            user_id: Uuid,
            capacity: Type.Integer(),
            away: Type.Boolean(),
            away_until: Type.Union([Type.Unsafe<Date>({ type: 'string', format: 'date-time' }), Type.Null()]),
          }),
        },
      },
    },
    async (req) => {
      // A person of another workspace is not found, whatever the caller may do.
      await getUser(app.db, req.actor.merchantId, req.params.userId)
      if (req.params.userId !== req.actor.id) requirePermission(req.actor, 'cases.assign')
      const b = req.body
      const a = await app.db.transaction().execute((trx) =>
        service.updateAgent(
          trx,
          requestContext(req),
          req.params.userId,
          {
            capacity: b.capacity,
            away: b.away,
            awayUntil: b.away_until === undefined ? undefined : b.away_until ? new Date(b.away_until) : null,
          },
          new Date(),
        ),
      )
      return { user_id: a.user_id, capacity: a.capacity, away: a.away, away_until: a.away_until }
    },
  )

  // Saved views
  const ViewBody = {
    name: Text(80),
    shared: Type.Optional(
      Type.Boolean({ description: "Shared with the workspace (needs cases.configure); else the caller's own" }),
    ),
    filters: ViewFilters,
    sort: Type.Optional(Type.Enum([...caseSorts])),
    position: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
  }

  app.get(
    '/case-views',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['cases'],
        summary: "Saved inbox views: the built-in ones, the shared ones and the caller's own",
        response: { 200: Type.Object({ data: Type.Array(SavedViewT) }) },
      },
    },
    async (req) => ({
      data: await service.listViews(app.db, requestContext(req)),
    }),
  )

  app.post(
    '/case-views',
    {
      config: {
        permission: 'cases.read',
        example: { name: 'Urgent Royal Mail', filters: { carrier: 'royal_mail', priority: 'urgent' } },
      },
      schema: {
        tags: ['cases'],
        summary: 'Save a view (GET /cases filters and a sort)',
        body: Type.Object(ViewBody, { additionalProperties: false }),
        response: { 201: SavedViewT },
      },
    },
    async (req, reply) => {
      const view = await app.db
        .transaction()
        .execute((trx) => service.createView(trx, requestContext(req), req.body, new Date()))
      return reply.status(201).send(view)
    },
  )

  app.patch(
    '/case-views/:id',
    {
      config: { permission: 'cases.read', example: { name: 'Renamed' } },
      schema: {
        tags: ['cases'],
        summary: "Change a saved view (one's own; shared ones with cases.configure)",
        params: Params,
        body: Type.Object(
          { ...ViewBody, name: Type.Optional(ViewBody.name), filters: Type.Optional(ViewBody.filters) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: SavedViewT },
      },
    },
    async (req) =>
      app.db
        .transaction()
        .execute((trx) => service.updateView(trx, requestContext(req), req.params.id, req.body, new Date())),
  )

  app.delete(
    '/case-views/:id',
    {
      config: { permission: 'cases.read' },
      schema: { tags: ['cases'], summary: 'Delete a saved view', params: Params, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await app.db
        .transaction()
        .execute((trx) => service.deleteView(trx, requestContext(req), req.params.id, new Date()))
      return reply.status(204).send(null)
    },
  )
}
