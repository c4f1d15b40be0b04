import { inTransaction } from '../../auth/actor.js'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as service from '../service.js'
import type { Priority } from '../tables.js'
import {
  CaseTypeList,
  CaseTypeParams,
  CaseTypeQuery,
  CaseTypeView,
  CreateCaseTypeBody,
  PatchCaseTypeBody,
} from '../schemas/case-types.js'
import { NoContent } from '../schemas/common.js'
import { caseRoute } from './request.js'

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

/** Case types: the kinds of problem a workspace works, with their fields and templates. */
export const caseTypeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/case-types',
    caseRoute('cases.read', {
      summary: 'Case types (archived ones on request)',
      querystring: CaseTypeQuery,
      response: { 200: CaseTypeList },
    }),
    async (req) => ({
      data: await inTransaction(app.db, req, async (trx, ctx, now) => {
        await service.ensureDefaultCaseTypes(trx, ctx.merchantId, now)
        return service.listCaseTypes(trx, ctx.merchantId, req.query.include_archived ?? false)
      }),
    }),
  )

  app.get(
    '/case-types/:key',
    caseRoute('cases.read', { summary: 'One case type', params: CaseTypeParams, response: { 200: CaseTypeView } }),
    async (req) => service.getCaseType(app.db, req.actor.merchantId, req.params.key),
  )

  app.post(
    '/case-types',
    caseRoute('cases.configure', {
      summary: 'Create a case type',
      body: CreateCaseTypeBody,
      response: { 201: CaseTypeView },
    }),
    async (req, reply) => {
      const input = { key: req.body.key, ...typeInput(req.body), label: req.body.label }
      const created = await inTransaction(app.db, req, (trx, ctx, now) => service.createCaseType(trx, ctx, input, now))
      return reply.status(201).send(created)
    },
  )

  app.patch(
    '/case-types/:key',
    caseRoute('cases.configure', {
      summary: 'Change a case type, or archive it (archived types keep their cases and open no new ones)',
      params: CaseTypeParams,
      body: PatchCaseTypeBody,
      response: { 200: CaseTypeView },
    }),
    async (req) => {
      const input = { ...typeInput(req.body), archived: req.body.archived }
      return inTransaction(app.db, req, (trx, ctx, now) => service.updateCaseType(trx, ctx, req.params.key, input, now))
    },
  )

  app.delete(
    '/case-types/:key',
    caseRoute('cases.configure', {
      summary: 'Delete an unused custom case type',
      params: CaseTypeParams,
      response: { 204: NoContent },
    }),
    async (req, reply) => {
      await inTransaction(app.db, req, (trx, ctx, now) => service.deleteCaseType(trx, ctx, req.params.key, now))
      return reply.status(204).send(null)
    },
  )
}
