import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requirePermission, inTransaction } from '../../auth/actor.js'
import * as service from '../service.js'
import type { CaseFilter } from '../store/case-list.js'
import { unresolvedStatuses, type CaseStatus, type Priority } from '../tables.js'
import { CaseDetailView, CaseListPage, CaseQuery, OpenCaseBody, PatchCaseBody } from '../schemas/cases.js'
import { IdParams } from '../schemas/common.js'
import { caseAction, caseDetail, caseRoute, changeCase, list, personOnly } from './request.js'

/** Cases: find them, open one, read one, change its fields. */
export const caseRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/cases',
    caseRoute('cases.read', {
      summary: 'Find cases: filters, full-text search, sort, cursor pages, counts per age bucket',
      querystring: CaseQuery,
      response: { 200: CaseListPage },
    }),
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
        slaStates: list(q.sla_state) as CaseFilter['slaStates'],
        slaDueBefore: q.sla_due_before ? new Date(q.sla_due_before) : undefined,
        hasEvidence: q.has_evidence,
        missingEvidence: q.missing_evidence,
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
    caseRoute('cases.write', { summary: 'Open a case', body: OpenCaseBody, response: { 201: CaseDetailView } }),
    async (req, reply) => {
      const b = req.body
      if (b.assignee_id && b.assignee_id !== req.actor.id) requirePermission(req.actor, 'cases.assign')
      const row = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.openCase(
          trx,
          ctx,
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
          now,
        ),
      )
      return reply.status(201).send(await caseDetail(app.db, req, row.id))
    },
  )

  app.get(
    '/cases/:id',
    caseRoute('cases.read', {
      summary: 'One case with its links (key fields of each linked record), followers and child cases',
      params: IdParams,
      response: { 200: CaseDetailView },
    }),
    async (req) => caseDetail(app.db, req, req.params.id),
  )

  app.patch(
    '/cases/:id',
    caseAction("Change a case's fields (status, assignment and escalation have their own actions)", PatchCaseBody),
    async (req) => {
      const b = req.body
      const input = {
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
      }
      return changeCase(app.db, req, (trx, ctx, now) => service.updateCase(trx, ctx, req.params.id, input, now))
    },
  )
}
