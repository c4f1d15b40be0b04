import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext, requirePermission } from '../../auth/actor.js'
import * as service from '../service.js'
import { toCase } from '../types.js'
import { CaseDetailView } from '../schemas/cases.js'
import { IdParams } from '../schemas/common.js'
import { AssignBody, EscalateBody, NoteBody, NoteReply, ReopenBody, StatusBody } from '../schemas/work.js'

/** Working one case: its lifecycle, assignment, escalation and notes. */
export const workRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const detail = (merchantId: string, id: string) => service.getCase(app.db, merchantId, id)

  app.post(
    '/cases/:id/status',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary: 'Move a case through its lifecycle; resolving needs a resolution code; 409 lists the allowed statuses',
        params: IdParams,
        body: StatusBody,
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
        params: IdParams,
        body: ReopenBody,
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
        params: IdParams,
        body: AssignBody,
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
        params: IdParams,
        body: EscalateBody,
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
        params: IdParams,
        body: NoteBody,
        response: { 201: NoteReply },
      },
    },
    async (req, reply) => {
      const r = await app.db
        .transaction()
        .execute((trx) => service.addNote(trx, requestContext(req), req.params.id, { body: req.body.body }, new Date()))
      return reply.status(201).send({ case: toCase(r.row), mentions: r.mentions })
    },
  )
}
