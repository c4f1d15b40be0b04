import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requestContext, requirePermission, type Actor } from '../auth/actor.js'
import { AppError } from '../errors.js'
import { listPage } from '../http/pagination.js'
import { Page, PageQueryWith, Timestamp, Uuid } from '../http/schemas.js'
import {
  AgeCounts,
  CaseDetailView,
  CaseQuery,
  CaseTypeView,
  CaseView,
  CustomFieldDefT,
  Key,
  LinkView,
  NotificationView,
  OpenCaseBody,
  PatchCaseBody,
  PolicyT,
  PriorityT,
  Resolution,
  ReviewView,
  RootCauseT,
  RoutingRuleT,
  SettingsView,
  Status,
  TemplateT,
  Text,
  TimelineEntryView,
} from './schemas.js'
import * as service from './service.js'
import type { CaseFilter } from './store/case-list.js'
import { unresolvedStatuses, type CaseStatus, type Priority } from './tables.js'
import { toCase } from './types.js'

const Params = Type.Object({ id: Uuid })
const TypeParams = Type.Object({ key: Key })
const list = (v: string | undefined) => (v ? [...new Set(v.split(','))] : undefined)

function personOnly(actor: Actor): string {
  if (actor.type !== 'user' || !actor.id)
    throw new AppError('forbidden', 'Only people have notifications and follow cases; sign in as a person')
  return actor.id
}

export const caseRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const detail = (merchantId: string, id: string) => service.getCase(app.db, merchantId, id)

  // Case types
  app.get(
    '/case-types',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['cases'],
        summary: 'Case types (archived ones on request)',
        querystring: Type.Object({ include_archived: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(CaseTypeView) }) },
      },
    },
    async (req) => ({
      data: await app.db.transaction().execute(async (trx) => {
        await service.ensureDefaultCaseTypes(trx, req.actor.merchantId, new Date())
        return service.listCaseTypes(trx, req.actor.merchantId, req.query.include_archived ?? false)
      }),
    }),
  )

  app.get(
    '/case-types/:key',
    {
      config: { permission: 'cases.read' },
      schema: { tags: ['cases'], summary: 'One case type', params: TypeParams, response: { 200: CaseTypeView } },
    },
    async (req) => service.getCaseType(app.db, req.actor.merchantId, req.params.key),
  )

  const TypeFields = {
    label: Text(100),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    default_priority: Type.Optional(PriorityT),
    custom_fields: Type.Optional(Type.Array(CustomFieldDefT, { maxItems: 50 })),
    required_evidence: Type.Optional(Type.Array(Key, { maxItems: 30 })),
    sla_tier: Type.Optional(Type.Union([Key, Type.Null()])),
    template_keys: Type.Optional(Type.Record(Key, Type.String({ maxLength: 100 }), { maxProperties: 30 })),
    template: Type.Optional(TemplateT),
  }
  const typeInput = (b: {
    label?: string
    description?: string
    default_priority?: Priority
    custom_fields?: service.CaseTypeInput['customFields']
    required_evidence?: string[]
    sla_tier?: string | null
    template_keys?: Record<string, string>
    template?: service.CaseTypeInput['template']
  }) => ({
    label: b.label,
    description: b.description,
    defaultPriority: b.default_priority,
    customFields: b.custom_fields,
    requiredEvidence: b.required_evidence,
    slaTier: b.sla_tier,
    templateKeys: b.template_keys,
    template: b.template,
  })

  app.post(
    '/case-types',
    {
      config: { permission: 'cases.configure' },
      schema: {
        tags: ['cases'],
        summary: 'Create a case type',
        body: Type.Object({ key: Key, ...TypeFields }, { additionalProperties: false }),
        response: { 201: CaseTypeView },
      },
    },
    async (req, reply) => {
      const created = await app.db
        .transaction()
        .execute((trx) =>
          service.createCaseType(
            trx,
            requestContext(req),
            { key: req.body.key, ...typeInput(req.body), label: req.body.label },
            new Date(),
          ),
        )
      return reply.status(201).send(created)
    },
  )

  app.patch(
    '/case-types/:key',
    {
      config: { permission: 'cases.configure' },
      schema: {
        tags: ['cases'],
        summary: 'Change a case type, or archive it (archived types keep their cases and open no new ones)',
        params: TypeParams,
        body: Type.Object(
          { ...TypeFields, label: Type.Optional(Text(100)), archived: Type.Optional(Type.Boolean()) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: CaseTypeView },
      },
    },
    async (req) =>
      app.db
        .transaction()
        .execute((trx) =>
          service.updateCaseType(
            trx,
            requestContext(req),
            req.params.key,
            { ...typeInput(req.body), archived: req.body.archived },
            new Date(),
          ),
        ),
  )

  app.delete(
    '/case-types/:key',
    {
      config: { permission: 'cases.configure' },
      schema: {
        tags: ['cases'],
        summary: 'Delete an unused custom case type',
        params: TypeParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await app.db
        .transaction()
        .execute((trx) => service.deleteCaseType(trx, requestContext(req), req.params.key, new Date()))
      return reply.status(204).send(null)
    },
  )

  // Cases
  app.get(
    '/cases',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['cases'],
        summary: 'Find cases: filters, full-text search, sort, cursor pages, counts per age bucket',
        querystring: CaseQuery,
        response: { 200: Type.Object({ ...Page(CaseView).properties, counts: Type.Optional(AgeCounts) }) },
      },
    },
    async (req) => {
      const q = req.query
      const statuses = list(q.status)?.flatMap((s) => (s === 'unresolved' ? unresolvedStatuses : [s as CaseStatus]))
      const filter: CaseFilter = {
        statuses,
        types: list(q.case_type),
        priorities: list(q.priority) as Priority[] | undefined,
        teamId: q.team_id,
        assigneeId: q.assignee_id === 'none' ? null : q.assignee_id === 'me' ? personOnly(req.actor) : q.assignee_id,
        carrierCode: q.carrier,
        fulfilmentCentre: q.fulfilment_centre,
        tags: list(q.tag),
        customerId: q.customer_id,
        orderId: q.order_id,
        shipmentId: q.shipment_id,
        parentId: q.parent_id,
        createdFrom: q.created_from ? new Date(q.created_from) : undefined,
        createdTo: q.created_to ? new Date(q.created_to) : undefined,
        updatedFrom: q.updated_from ? new Date(q.updated_from) : undefined,
        updatedTo: q.updated_to ? new Date(q.updated_to) : undefined,
        ageBucket: q.age,
        q: q.q,
      }
      return service.listCases(
        app.db,
        req.actor.merchantId,
        filter,
        { sort: q.sort ?? 'created_desc', cursor: q.cursor, limit: q.limit ?? 50, counts: q.counts },
        new Date(),
      )
    },
  )

  app.post(
    '/cases',
    {
      config: { permission: 'cases.write' },
      schema: { tags: ['cases'], summary: 'Open a case', body: OpenCaseBody, response: { 201: CaseDetailView } },
    },
    async (req, reply) => {
      const b = req.body
      if (b.assignee_id && b.assignee_id !== req.actor.id) requirePermission(req.actor, 'cases.assign')
      const row = await app.db.transaction().execute((trx) =>
        service.openCase(
          trx,
          requestContext(req),
          {
            caseType: b.case_type,
            subject: b.subject,
            priority: b.priority,
            channel: b.channel,
            source: req.actor.type === 'user' ? 'manual' : 'api',
            customerId: b.customer_id,
            orderId: b.order_id,
            shipmentId: b.shipment_id,
            productSku: b.product_sku,
            value: b.value,
            teamId: b.team_id,
            assigneeId: b.assignee_id,
            tags: b.tags,
            customFields: b.custom_fields,
            parentId: b.parent_id,
            links: b.links?.map((l) => ({ entityType: l.entity_type, entityId: l.entity_id })),
            description: b.description,
          },
          new Date(),
        ),
      )
      return reply.status(201).send(await detail(req.actor.merchantId, row.id))
    },
  )

  app.get(
    '/cases/:id',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['cases'],
        summary: 'One case with its links (key fields of each linked record), followers and child cases',
        params: Params,
        response: { 200: CaseDetailView },
      },
    },
    async (req) => detail(req.actor.merchantId, req.params.id),
  )

  app.patch(
    '/cases/:id',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary: "Change a case's fields (status, assignment and escalation have their own actions)",
        params: Params,
        body: PatchCaseBody,
        response: { 200: CaseDetailView },
      },
    },
    async (req) => {
      const b = req.body
      await app.db.transaction().execute((trx) =>
        service.updateCase(
          trx,
          requestContext(req),
          req.params.id,
          {
            subject: b.subject,
            priority: b.priority,
            teamId: b.team_id,
            tags: b.tags,
            addTags: b.add_tags,
            removeTags: b.remove_tags,
            customFields: b.custom_fields,
            rootCause: b.root_cause,
            faultParty: b.fault_party,
            productSku: b.product_sku,
            value: b.value,
            checklist: b.checklist,
            parentId: b.parent_id,
          },
          new Date(),
        ),
      )
      return detail(req.actor.merchantId, req.params.id)
    },
  )

  app.post(
    '/cases/:id/status',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary: 'Move a case through its lifecycle; resolving needs a resolution code; 409 lists the allowed statuses',
        params: Params,
        body: Type.Object(
          {
            status: Status,
            resolution_code: Type.Optional(Resolution),
            resolution_note: Type.Optional(Text(2000)),
            root_cause: Type.Optional(RootCauseT),
            fault_party: Type.Optional(Text(100)),
            reason: Type.Optional(Text(500)),
          },
          { additionalProperties: false },
        ),
        response: { 200: CaseDetailView },
      },
    },
    async (req) => {
      const b = req.body
      const row = await app.db.transaction().execute((trx) =>
        service.changeStatus(
          trx,
          requestContext(req),
          req.params.id,
          {
            status: b.status,
            resolutionCode: b.resolution_code,
            resolutionNote: b.resolution_note,
            rootCause: b.root_cause,
            faultParty: b.fault_party,
            reason: b.reason,
          },
          new Date(),
        ),
      )
      return detail(req.actor.merchantId, row.id)
    },
  )

  app.post(
    '/cases/:id/reopen',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary:
          'Reopen a resolved or closed case; past the reopen window a linked follow-up is opened instead (and returned)',
        params: Params,
        body: Type.Object({ reason: Type.Optional(Text(500)) }, { additionalProperties: false }),
        response: { 200: CaseDetailView },
      },
    },
    async (req) => {
      const row = await app.db
        .transaction()
        .execute((trx) =>
          service.reopenCase(trx, requestContext(req), req.params.id, { reason: req.body.reason }, new Date()),
        )
      return detail(req.actor.merchantId, row.id)
    },
  )

  app.post(
    '/cases/:id/assign',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary: 'Assign a case (to oneself with cases.write; to others with cases.assign); null unassigns',
        params: Params,
        body: Type.Object(
          { assignee_id: Type.Union([Uuid, Type.Null()]), team_id: Type.Optional(Type.Union([Uuid, Type.Null()])) },
          { additionalProperties: false },
        ),
        response: { 200: CaseDetailView },
      },
    },
    async (req) => {
      await service.findCaseOrThrow(app.db, req.actor.merchantId, req.params.id)
      if (req.body.assignee_id !== req.actor.id || req.body.team_id !== undefined)
        requirePermission(req.actor, 'cases.assign')
      await app.db
        .transaction()
        .execute((trx) =>
          service.assignCase(
            trx,
            requestContext(req),
            req.params.id,
            { assigneeId: req.body.assignee_id, teamId: req.body.team_id },
            new Date(),
          ),
        )
      return detail(req.actor.merchantId, req.params.id)
    },
  )

  app.post(
    '/cases/:id/escalate',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary: 'Escalate a case one level (or to a given level)',
        params: Params,
        body: Type.Object(
          { reason: Text(500), level: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })) },
          { additionalProperties: false },
        ),
        response: { 200: CaseDetailView },
      },
    },
    async (req) => {
      await app.db
        .transaction()
        .execute((trx) =>
          service.escalateCase(
            trx,
            requestContext(req),
            req.params.id,
            { reason: req.body.reason, level: req.body.level },
            new Date(),
          ),
        )
      return detail(req.actor.merchantId, req.params.id)
    },
  )

  app.post(
    '/cases/:id/notes',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary: 'Add an internal note; @[Name](user-id) mentions notify those people',
        params: Params,
        body: Type.Object({ body: Text(10_000) }, { additionalProperties: false }),
        response: { 201: Type.Object({ case: CaseView, mentions: Type.Array(Uuid) }) },
      },
    },
    async (req, reply) => {
      const r = await app.db
        .transaction()
        .execute((trx) => service.addNote(trx, requestContext(req), req.params.id, { body: req.body.body }, new Date()))
      return reply.status(201).send({ case: toCase(r.row), mentions: r.mentions })
    },
  )

  app.get(
    '/cases/:id/timeline',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['cases'],
        summary: "The case's timeline (with merged cases' entries), in event-time order",
        params: Params,
        querystring: PageQueryWith({
          type: Type.Optional(Type.String({ pattern: '^[a-z][a-z_.]{0,59}(,[a-z][a-z_.]{0,59})*$', maxLength: 500 })),
          order: Type.Optional(Type.Enum(['asc', 'desc'])),
        }),
        response: { 200: Page(TimelineEntryView) },
      },
    },
    async (req) => {
      const after = service.decodeTimelineCursor(req.query.cursor)
      return service.listCaseTimeline(app.db, req.actor.merchantId, req.params.id, {
        types: list(req.query.type),
        after,
        limit: req.query.limit ?? 50,
        desc: req.query.order === 'desc',
      })
    },
  )

  app.post(
    '/cases/:id/links',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary: 'Link records (customer, order, shipment, case, and types later modules add)',
        params: Params,
        body: Type.Object(
          {
            links: Type.Array(Type.Object({ entity_type: Key, entity_id: Uuid }, { additionalProperties: false }), {
              minItems: 1,
              maxItems: 50,
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ data: Type.Array(LinkView) }) },
      },
    },
    async (req) => ({
      data: await app.db.transaction().execute((trx) =>
        service.linkRecords(
          trx,
          requestContext(req),
          req.params.id,
          req.body.links.map((l) => ({ entityType: l.entity_type, entityId: l.entity_id })),
          new Date(),
        ),
      ),
    }),
  )

  app.delete(
    '/cases/:id/links/:entityType/:entityId',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary: 'Remove a link',
        params: Type.Object({ id: Uuid, entityType: Key, entityId: Uuid }),
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await app.db
        .transaction()
        .execute((trx) =>
          service.unlinkRecord(
            trx,
            requestContext(req),
            req.params.id,
            { entityType: req.params.entityType, entityId: req.params.entityId },
            new Date(),
          ),
        )
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/cases/:id/merge',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary:
          'Merge duplicates into this case: they close as duplicate and point here; links, followers and timelines come along',
        params: Params,
        body: Type.Object(
          { duplicate_ids: Type.Array(Uuid, { minItems: 1, maxItems: 50 }) },
          { additionalProperties: false },
        ),
        response: { 200: CaseDetailView },
      },
    },
    async (req) => {
      await app.db
        .transaction()
        .execute((trx) =>
          service.mergeCases(trx, requestContext(req), req.params.id, req.body.duplicate_ids, new Date()),
        )
      return detail(req.actor.merchantId, req.params.id)
    },
  )

  app.put(
    '/cases/:id/followers/me',
    {
      config: { permission: 'cases.read' },
      schema: { tags: ['cases'], summary: 'Follow a case', params: Params, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await service.findCaseOrThrow(app.db, req.actor.merchantId, req.params.id)
      const userId = personOnly(req.actor)
      await app.db
        .transaction()
        .execute((trx) => service.followCase(trx, req.actor.merchantId, req.params.id, [userId], new Date()))
      return reply.status(204).send(null)
    },
  )

  app.delete(
    '/cases/:id/followers/me',
    {
      config: { permission: 'cases.read' },
      schema: { tags: ['cases'], summary: 'Stop following a case', params: Params, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await service.findCaseOrThrow(app.db, req.actor.merchantId, req.params.id)
      const userId = personOnly(req.actor)
      await app.db
        .transaction()
        .execute((trx) => service.unfollowCase(trx, req.actor.merchantId, req.params.id, userId))
      return reply.status(204).send(null)
    },
  )

  // Notifications (the caller's own)
  app.get(
    '/notifications',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['notifications'],
        summary: 'My notifications, newest first, with the unread count',
        querystring: PageQueryWith({ unread: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Object({ ...Page(NotificationView).properties, unread_count: Type.Integer() }) },
      },
    },
    async (req) => {
      const userId = personOnly(req.actor)
      const page = await listPage(req.query, (p) =>
        service.listNotifications(app.db, req.actor.merchantId, userId, { unread: req.query.unread, ...p }),
      )
      return { ...page, unread_count: await service.countUnreadNotifications(app.db, req.actor.merchantId, userId) }
    },
  )

  app.post(
    '/notifications/read',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['notifications'],
        summary: 'Mark my notifications read (these ids, or all)',
        body: Type.Object(
          {
            ids: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 500 })),
            all: Type.Optional(Type.Literal(true)),
          },
          { additionalProperties: false, minProperties: 1, maxProperties: 1 },
        ),
        response: { 200: Type.Object({ marked: Type.Integer(), unread_count: Type.Integer() }) },
      },
    },
    async (req) => {
      const userId = personOnly(req.actor)
      const marked = await app.db
        .transaction()
        .execute((trx) =>
          service.markNotificationsRead(trx, req.actor.merchantId, userId, req.body.ids ?? 'all', new Date()),
        )
      return { marked, unread_count: await service.countUnreadNotifications(app.db, req.actor.merchantId, userId) }
    },
  )

  app.get(
    '/cases/stats',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['cases'],
        summary:
          'Operations figures: open cases by type and age bucket, new cases per day (workspace time zone) by carrier',
        querystring: Type.Object(
          { days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 30 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            time_zone: Type.String(),
            open_by_type: Type.Array(Type.Object({ case_type: Type.String(), ...AgeCounts.properties })),
            new_by_day: Type.Array(
              Type.Object({
                day: Type.String({ format: 'date' }),
                carrier: Type.Union([Type.String(), Type.Null()]),
                count: Type.Integer(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => service.caseStats(app.db, req.actor.merchantId, req.query.days ?? 30, new Date()),
  )

  // Presence: the console's collision warning (who else is viewing or replying on a case right now)
  const PresenceView = Type.Object({
    user_id: Uuid,
    state: Type.Union([Type.Literal('viewing'), Type.Literal('replying')]),
    since: Timestamp,
  })
  app.get(
    '/cases/:id/presence',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['cases'],
        summary: 'Who has this case open right now, and who is writing on it',
        params: Params,
        response: { 200: Type.Object({ data: Type.Array(PresenceView) }) },
      },
    },
    async (req) => ({ data: await service.listPresence(app.db, req.actor.merchantId, req.params.id, new Date()) }),
  )

  app.put(
    '/cases/:id/presence',
    {
      config: { permission: 'cases.read', example: { state: 'viewing' } },
      schema: {
        tags: ['cases'],
        summary: `I have this case open (a heartbeat: send it every 15 s; it lapses after ${service.presenceTtlMs / 1000} s)`,
        params: Params,
        body: Type.Object(
          { state: Type.Union([Type.Literal('viewing'), Type.Literal('replying')]) },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await app.db
        .transaction()
        .execute((trx) => service.setPresence(trx, requestContext(req), req.params.id, req.body.state, new Date()))
      return reply.status(204).send(null)
    },
  )

  app.delete(
    '/cases/:id/presence',
    {
      config: { permission: 'cases.read' },
      schema: { tags: ['cases'], summary: 'I closed this case', params: Params, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await app.db
        .transaction()
        .execute((trx) => service.setPresence(trx, requestContext(req), req.params.id, null, new Date()))
      return reply.status(204).send(null)
    },
  )

  // Settings and the review list
  app.get(
    '/case-settings',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['cases'],
        summary: 'The exception policy (which carrier signals open which case types) and lifecycle settings',
        response: { 200: SettingsView },
      },
    },
    async (req) => service.getCaseSettings(app.db, req.actor.merchantId),
  )

  app.put(
    '/case-settings',
    {
      config: { permission: 'cases.configure' },
      schema: {
        tags: ['cases'],
        summary: 'Change the exception policy and lifecycle settings',
        body: Type.Object(
          {
            exception_policy: Type.Optional(PolicyT),
            reopen_window_hours: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 365 })),
            auto_close_after_hours: Type.Optional(
              Type.Integer({
                minimum: 0,
                maximum: 24 * 365,
                description: 'Resolved cases close after this many hours; 0: never',
              }),
            ),
            routing: Type.Optional(
              Type.Array(RoutingRuleT, {
                maxItems: 100,
                description: 'The first matching rule assigns a new case: its team, and a member by the strategy',
              }),
            ),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: SettingsView },
      },
    },
    async (req) =>
      app.db.transaction().execute((trx) => service.updateCaseSettings(trx, requestContext(req), req.body, new Date())),
  )

  app.get(
    '/case-reviews',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['cases'],
        summary: 'Carrier signals the policy would not act on alone (low confidence), for a person to decide',
        querystring: PageQueryWith({ state: Type.Optional(Type.Enum(['pending', 'opened', 'dismissed'])) }),
        response: { 200: Page(ReviewView) },
      },
    },
    async (req) =>
      listPage(req.query, (p) =>
        service.listReviews(app.db, req.actor.merchantId, { state: req.query.state ?? 'pending', ...p }),
      ),
  )

  app.post(
    '/case-reviews/:id/decision',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary: 'Open a case from a reviewed signal, or dismiss it',
        params: Params,
        body: Type.Object(
          { decision: Type.Enum(['open', 'dismiss']), case_type: Type.Optional(Key) },
          { additionalProperties: false },
        ),
        response: { 200: ReviewView },
      },
    },
    async (req) =>
      app.db
        .transaction()
        .execute((trx) =>
          service.decideReview(
            trx,
            requestContext(req),
            req.params.id,
            { open: req.body.decision === 'open', caseType: req.body.case_type },
            new Date(),
          ),
        ),
  )
}
