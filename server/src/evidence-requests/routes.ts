import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { inTransaction, requestContext } from '../auth/actor.js'
import { evidenceContext } from '../evidence/index.js'
import { AppError } from '../errors.js'
import { contentDisposition } from '../http/content-disposition.js'
import { noStoreHeaders } from '../http/headers.js'
import { enforceLinkLimits } from '../http/request-limits.js'
import { routeOptions } from '../http/route.js'
import { MessageView } from '../messaging/schemas.js'
import {
  CaseParams,
  CheckQuery,
  CheckView,
  CreatedRequestView,
  EvidenceItemView,
  PackEmailBody,
  PackFile,
  PortalRequestView,
  RequestBody,
  RequestList,
  RequestParams,
  RequestView,
  RequirementsBody,
  RequirementsView,
  TokenParams,
} from './schemas.js'
import * as service from './service.js'

const route = routeOptions('evidence')
// Per link: a page, a few uploads and retries, in ten minutes.
export const portalLimits = { perAddress: 300, perLink: 60, windowSeconds: 600 }

// Multipart is registered once for the API (http/multipart.ts): a customer's upload takes up to ten files.
const portalParts = { files: 10, fields: 10, parts: 20, fieldSize: 1000 }

export const evidenceRequestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/cases/:id/evidence-requests',
    route(
      'cases.write',
      {
        summary: 'Ask the customer for evidence: an upload link for this case, sent with the evidence_request template',
        params: CaseParams,
        body: RequestBody,
        response: { 201: CreatedRequestView },
      },
      { types: ['photo_of_damage'], message: 'Please show us the damage.', deadline_hours: 48 },
    ),
    async (req, reply) => {
      const view = await inTransaction(app.db, req, (trx, ctx, now) => {
        const { types, message, channel } = req.body
        const dueAt = service.deadlineOf(req.body, now)
        return service.requestEvidence(trx, ctx, req.params.id, { types, message, channel, dueAt }, app.ctx, now)
      })
      return reply.status(201).send(view)
    },
  )

  app.get(
    '/cases/:id/evidence-requests',
    route('cases.read', {
      summary: "The case's evidence requests: what was asked, by when, what came in, what is missing",
      params: CaseParams,
      response: { 200: RequestList },
    }),
    async (req) => ({
      data: await service.listEvidenceRequests(app.db, requestContext(req), req.params.id, new Date()),
    }),
  )

  app.post(
    '/evidence-requests/:id/cancel',
    route('cases.write', {
      summary: 'Cancel an open or overdue evidence request: its link stops working',
      params: RequestParams,
      response: { 200: RequestView },
    }),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) => service.cancelEvidenceRequest(trx, ctx, req.params.id, now)),
  )

  app.get(
    '/evidence/requirements',
    route('cases.read', {
      summary: 'The evidence each action needs (carrier_claim, refund_approval, …) beside what each case type needs',
      response: { 200: RequirementsView },
    }),
    async (req) => service.getRequirements(app.db, req.actor.merchantId),
  )

  app.put(
    '/evidence/requirements',
    route(
      'cases.configure',
      {
        summary: 'Set the evidence each action needs (replaces them all; an action left out needs nothing)',
        body: RequirementsBody,
        response: { 200: RequirementsView },
      },
      { actions: { carrier_claim: ['photo_of_damage'] } },
    ),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) => service.setRequirements(trx, ctx, req.body.actions, now)),
  )

  app.get(
    '/cases/:id/evidence/check',
    route('cases.read', {
      summary:
        "What the case's evidence lacks for an action (for=case, the default: its case type's required_evidence)",
      params: CaseParams,
      querystring: CheckQuery,
      response: { 200: CheckView },
    }),
    async (req) => service.checkEvidence(app.db, req.actor.merchantId, req.params.id, req.query.for ?? 'case'),
  )

  app.get(
    '/cases/:id/evidence/pack',
    route('cases.read', {
      summary:
        "The case's evidence pack for a carrier or finance, streamed as a ZIP: files, manifest.json, summary.pdf " +
        '(sensitive types only for the roles allowed to see them; every download is audited)',
      params: CaseParams,
      response: { 200: PackFile },
    }),
    async (req, reply) => {
      const pack = await service.evidencePack(evidenceContext(app.ctx, requestContext(req)), req.params.id, new Date())
      return reply
        .type('application/zip')
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', contentDisposition(pack.filename))
        .send(pack.stream as unknown as string) // a stream; the schema documents the file it carries
    },
  )

  app.post(
    '/cases/:id/evidence/pack/email',
    route(
      'messages.send',
      {
        summary:
          "Email the case's evidence pack as a ZIP attachment (to the customer unless `to` names a carrier or finance); " +
          'what the sender may see of it, audited',
        params: CaseParams,
        body: PackEmailBody,
        response: { 201: MessageView },
      },
      { to: [{ address: 'claims@carrier.example' }], text: 'Our evidence for the claim is attached.' },
    ),
    async (req, reply) => {
      const message = await service.emailEvidencePack(
        evidenceContext(app.ctx, requestContext(req)),
        req.params.id,
        req.body,
        new Date(),
      )
      return reply.status(201).send(message)
    },
  )

  app.post(
    '/cases/:id/evidence/commercial-invoice',
    route('cases.write', {
      summary: "Generate a commercial invoice PDF from the case's order and add it as evidence (commercial_invoice)",
      params: CaseParams,
      response: { 201: EvidenceItemView },
    }),
    async (req, reply) => {
      const item = await service.generateCommercialInvoice(
        evidenceContext(app.ctx, requestContext(req)),
        req.params.id,
        new Date(),
      )
      return reply.status(201).send(item)
    },
  )

  app.get(
    '/portal/evidence/:token',
    route('public', {
      summary: "What an evidence request's link asks of the customer: types, why, the deadline, what came in",
      params: TokenParams,
      response: { 200: PortalRequestView },
    }),
    async (req, reply) => {
      void reply.headers(noStoreHeaders)
      await enforceLinkLimits(app.db, 'evidence_portal', portalLimits, req)
      const now = new Date()
      const target = await service.portalTarget(app.ctx, app.ctx.keys.links, req.params.token, now)
      return service.portalRequestView(app.db, target, now)
    },
  )

  app.post(
    '/portal/evidence/:token/files',
    route('public', {
      summary:
        'The customer sends evidence: multipart/form-data, a `type` field (a type asked for) before its files; ' +
        'a later `type` field applies to the files after it',
      params: TokenParams,
      consumes: ['multipart/form-data'],
      response: { 201: PortalRequestView },
    }),
    async (req, reply) => {
      void reply.headers(noStoreHeaders)
      await enforceLinkLimits(app.db, 'evidence_portal', portalLimits, req)
      const now = new Date()
      const target = await service.portalTarget(app.ctx, app.ctx.keys.links, req.params.token, now)
      if (!req.isMultipart()) throw new AppError('unsupported_media_type', 'Send the files as multipart/form-data')
      await service
        .receivePortalParts(app.db, target, req.parts({ limits: portalParts }), now)
        .catch((err: unknown) => {
          throw multipartError(err)
        })
      return reply.status(201).send(await service.portalRequestView(app.db, target, now))
    },
  )
}

// The parser's own limits and refusals (thrown by its iterator or through a file's stream), as the catalogue names them.
function multipartError(err: unknown): unknown {
  switch ((err as { code?: string }).code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError('file_too_large', 'The file is too large')
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError('payload_too_large', 'Too many files or fields in one upload (at most 10 files)')
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError('unsupported_media_type', 'Send the files as multipart/form-data')
    default:
      return err
  }
}
