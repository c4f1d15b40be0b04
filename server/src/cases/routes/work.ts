import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requirePermission, inTransaction } from '../../auth/actor.js'
import * as service from '../service.js'
import { toCase } from '../types.js'
import { IdParams } from '../schemas/common.js'
import { AssignBody, EscalateBody, NoteBody, NoteReply, ReopenBody, StatusBody } from '../schemas/work.js'
import { caseAction, caseDetail, caseRoute, changeCase } from './request.js'

/** Working one case: its lifecycle, assignment, escalation and notes. */
export const workRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/cases/:id/status',
    caseAction(
      'Move a case through its lifecycle; resolving needs a resolution code; 409 lists the allowed statuses',
      StatusBody,
    ),
    async (req) => {
      const b = req.body
      const input = {
        status: b.status,
        resolutionCode: b.resolution_code,
        resolutionNote: b.resolution_note,
        rootCause: b.root_cause,
        faultParty: b.fault_party,
        reason: b.reason,
      }
      const row = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.changeStatus(trx, ctx, req.params.id, input, now),
      )
      return caseDetail(app.db, req, row.id)
    },
  )

  app.post(
    '/cases/:id/reopen',
    caseAction(
      'Reopen a resolved or closed case; past the reopen window a linked follow-up is opened instead (and returned)',
      ReopenBody,
    ),
    async (req) => {
      const row = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.reopenCase(trx, ctx, req.params.id, { reason: req.body.reason }, now),
      )
      return caseDetail(app.db, req, row.id)
    },
  )

  app.post(
    '/cases/:id/assign',
    caseAction('Assign a case (to oneself with cases.write; to others with cases.assign); null unassigns', AssignBody),
    async (req) => {
      await service.findCaseOrThrow(app.db, req.actor.merchantId, req.params.id)
      if (req.body.assignee_id !== req.actor.id || req.body.team_id !== undefined)
        requirePermission(req.actor, 'cases.assign')
      const input = { assigneeId: req.body.assignee_id, teamId: req.body.team_id }
      return changeCase(app.db, req, (trx, ctx, now) => service.assignCase(trx, ctx, req.params.id, input, now))
    },
  )

  app.post(
    '/cases/:id/escalate',
    caseAction('Escalate a case one level (or to a given level)', EscalateBody),
    async (req) => {
      const input = { reason: req.body.reason, level: req.body.level }
      return changeCase(app.db, req, (trx, ctx, now) => service.escalateCase(trx, ctx, req.params.id, input, now))
    },
  )

  app.post(
    '/cases/:id/notes',
    caseRoute('cases.write', {
      summary: 'Add an internal note; @[Name](user-id) mentions notify those people',
      params: IdParams,
      body: NoteBody,
      response: { 201: NoteReply },
    }),
    async (req, reply) => {
      const r = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.addNote(trx, ctx, req.params.id, { body: req.body.body }, now),
      )
      return reply.status(201).send({ case: toCase(r.row), mentions: r.mentions })
    },
  )
}
