import { inTransaction } from '../../auth/actor.js'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as service from '../service.js'
import { toCase } from '../types.js'
import { IdParams } from '../schemas/common.js'
import { SplitBody, SplitReply } from '../schemas/work.js'
import { caseDetail, caseRoute } from './request.js'

/** Splitting a case that turned out to hold two problems. */
export const splitRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/cases/:id/split',
    caseRoute(
      'cases.write',
      {
        summary: 'Split a new linked case off this one: chosen links move to it, chosen timeline entries are copied',
        params: IdParams,
        body: SplitBody,
        response: { 201: SplitReply },
      },
      { subject: 'Second parcel arrived damaged' },
    ),
    async (req, reply) => {
      const b = req.body
      const input = {
        subject: b.subject,
        caseType: b.case_type,
        priority: b.priority,
        description: b.description,
        timelineEntryIds: b.timeline_entry_ids,
        links: b.links?.map((l) => ({ entityType: l.entity_type, entityId: l.entity_id })),
      }
      const r = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.splitCase(trx, ctx, req.params.id, input, now),
      )
      return reply.status(201).send({ original: toCase(r.original), split: await caseDetail(app.db, req, r.split.id) })
    },
  )
}
