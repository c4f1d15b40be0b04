import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext } from '../../auth/actor.js'
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
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['cases'],
        summary: 'Case types (archived ones on request)',
        querystring: CaseTypeQuery,
        response: { 200: CaseTypeList },
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
      schema: { tags: ['cases'], summary: 'One case type', params: CaseTypeParams, response: { 200: CaseTypeView } },
    },
    async (req) => service.getCaseType(app.db, req.actor.merchantId, req.params.key),
  )

  app.post(
    '/case-types',
    {
      config: { permission: 'cases.configure' },
      schema: {
        tags: ['cases'],
        summary: 'Create a case type',
        body: CreateCaseTypeBody,
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
        params: CaseTypeParams,
        body: PatchCaseTypeBody,
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
        params: CaseTypeParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      await app.db
        .transaction()
        .execute((trx) => service.deleteCaseType(trx, requestContext(req), req.params.key, new Date()))
      return reply.status(204).send(null)
    },
  )
}
