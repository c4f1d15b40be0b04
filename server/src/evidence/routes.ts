import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Static } from 'typebox'
import { Value } from 'typebox/value'
import { requestContext } from '../auth/actor.js'
import { AppError } from '../errors.js'
import { contentDisposition } from '../http/content-disposition.js'
import { readUpload } from '../http/multipart.js'
import { routeOptions } from '../http/route.js'
import {
  CaseParams,
  EvidenceFile,
  EvidenceList,
  EvidencePatchBody,
  EvidenceParams,
  EvidenceSettingsBody,
  EvidenceSettingsView,
  EvidenceTypeBody,
  EvidenceTypeList,
  EvidenceTypePatchBody,
  EvidenceTypeView,
  EvidenceView,
  NoContent,
  TypeParams,
  UploadFields,
} from './schemas.js'
import { addEvidence } from './service/add-evidence.js'
import {
  createEvidenceType,
  getEvidenceSettings,
  listEvidenceTypes,
  updateEvidenceSettings,
  updateEvidenceType,
} from './service/catalogue.js'
import { evidenceContext } from './service/context.js'
import {
  deleteEvidence,
  getEvidence,
  listCaseEvidence,
  openEvidenceFile,
  seesSensitive,
  updateEvidence,
} from './service/manage-evidence.js'

const route = routeOptions('evidence')

export const evidenceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctxOf = (req: Parameters<typeof requestContext>[0]) => evidenceContext(app.ctx, requestContext(req))

  app.post(
    '/cases/:id/evidence',
    route('cases.write', {
      summary:
        'Upload one file as evidence (multipart/form-data: the fields type, captured_at, notes and fields as JSON, ' +
        'then one file part). Judged by its bytes; photos are re-encoded without metadata.',
      consumes: ['multipart/form-data'],
      params: CaseParams,
      response: { 201: EvidenceView },
    }),
    async (req, reply) => {
      const upload = await readUpload(req)
      const fields = uploadFields(upload.fields)
      const ctx = ctxOf(req)
      const item = await addEvidence(ctx, {
        caseId: req.params.id,
        typeKey: fields.type,
        source: 'upload',
        uploader: { kind: 'agent', actorId: req.actor.id ?? undefined },
        file: { stream: upload.file, filename: upload.filename },
        capturedAt: fields.captured_at ? new Date(fields.captured_at) : undefined,
        fields: fields.fields,
        notes: fields.notes,
      })
      return reply.status(201).send(item)
    },
  )

  app.get(
    '/cases/:id/evidence',
    route('cases.read', {
      summary: "The case's evidence, oldest first (sensitive types only with evidence.sensitive.read)",
      params: CaseParams,
      response: { 200: EvidenceList },
    }),
    async (req) => {
      const ctx = ctxOf(req)
      return {
        data: await listCaseEvidence(app.db, ctx.merchantId, req.params.id, { includeSensitive: seesSensitive(ctx) }),
      }
    },
  )

  app.get(
    '/evidence/types',
    route('cases.read', {
      summary: 'Evidence types: the built-in ones as the workspace changed them, then its own',
      response: { 200: EvidenceTypeList },
    }),
    async (req) => ({ data: await listEvidenceTypes(app.db, req.actor.merchantId) }),
  )

  app.post(
    '/evidence/types',
    route('cases.configure', {
      summary: 'Add an evidence type of the workspace',
      body: EvidenceTypeBody,
      response: { 201: EvidenceTypeView },
    }),
    async (req, reply) => {
      const { max_bytes, ...rest } = req.body
      const type = await app.db
        .transaction()
        .execute((trx) => createEvidenceType(trx, requestContext(req), { ...rest, maxBytes: max_bytes }, new Date()))
      return reply.status(201).send(type)
    },
  )

  app.patch(
    '/evidence/types/:key',
    route('cases.configure', {
      summary: 'Change an evidence type (a built-in one keeps its key and kind)',
      params: TypeParams,
      body: EvidenceTypePatchBody,
      response: { 200: EvidenceTypeView },
    }),
    async (req) => {
      const { max_bytes, ...rest } = req.body
      return app.db
        .transaction()
        .execute((trx) =>
          updateEvidenceType(trx, requestContext(req), req.params.key, { ...rest, maxBytes: max_bytes }, new Date()),
        )
    },
  )

  app.get(
    '/evidence/settings',
    route('cases.read', { summary: 'Evidence settings', response: { 200: EvidenceSettingsView } }),
    async (req) => getEvidenceSettings(app.db, req.actor.merchantId),
  )

  app.put(
    '/evidence/settings',
    route('cases.configure', {
      summary: 'Change the evidence settings (the fields given)',
      body: EvidenceSettingsBody,
      response: { 200: EvidenceSettingsView },
    }),
    async (req) =>
      app.db.transaction().execute((trx) => updateEvidenceSettings(trx, requestContext(req), req.body, new Date())),
  )

  app.get(
    '/evidence/:id',
    route('cases.read', { summary: 'One evidence item', params: EvidenceParams, response: { 200: EvidenceView } }),
    async (req) => getEvidence(ctxOf(req), req.params.id),
  )

  app.patch(
    '/evidence/:id',
    route('cases.write', {
      summary: 'Change an item: its type (which classifies a candidate), notes, fields, capture time',
      params: EvidenceParams,
      body: EvidencePatchBody,
      response: { 200: EvidenceView },
    }),
    async (req) => {
      const b = req.body
      const patch = {
        typeKey: b.type_key,
        notes: b.notes,
        fields: b.fields,
        capturedAt: b.captured_at === undefined ? undefined : b.captured_at === null ? null : new Date(b.captured_at),
      }
      return app.db.transaction().execute((trx) => updateEvidence(trx, ctxOf(req), req.params.id, patch))
    },
  )

  app.delete(
    '/evidence/:id',
    route('cases.write', {
      summary: 'Delete an item and its file (refused while its case is held)',
      params: EvidenceParams,
      response: { 204: NoContent },
    }),
    async (req, reply) => {
      await deleteEvidence(ctxOf(req), req.params.id)
      return reply.status(204).send(null)
    },
  )

  for (const variant of ['file', 'thumbnail'] as const)
    app.get(
      `/evidence/:id/${variant}`,
      route('cases.read', {
        summary:
          variant === 'file'
            ? 'Download the file, as stored (the download is audited with its SHA-256)'
            : 'The 320 px WebP thumbnail of a photo',
        params: EvidenceParams,
        response: { 200: EvidenceFile },
      }),
      async (req, reply) => {
        const { item, stream } = await openEvidenceFile(
          ctxOf(req),
          req.params.id,
          variant === 'file' ? 'original' : 'thumbnail',
        )
        const name = variant === 'file' ? item.original_name : `${item.original_name.replace(/\.[^.]*$/, '')}.webp`
        return reply
          .headers({
            'content-type': variant === 'file' ? item.content_type : 'image/webp',
            'content-disposition': contentDisposition(name, variant === 'file' ? 'attachment' : 'inline'),
            'x-content-type-options': 'nosniff',
            'cache-control': 'private, no-store',
            ...(variant === 'file' && { 'content-length': String(item.size_bytes) }),
          })
          .send(stream as unknown as string) // a stream; the schema documents the file it carries
      },
    )
}

function uploadFields(raw: Record<string, string>) {
  // What PostgreSQL cannot store is refused before the file is read (JSON bodies get this from the validation hook).
  const nul = Object.keys(raw).filter(
    (k) => raw[k]!.includes('\u0000') || (k === 'fields' && raw[k]!.includes('\\u0000')),
  )
  if (nul.length) throw invalid(nul.map((k) => ({ path: `body/${k}`, message: 'must not contain a NUL character' })))
  const value: Record<string, unknown> = { ...raw }
  if (raw.fields !== undefined) {
    try {
      value.fields = JSON.parse(raw.fields)
    } catch {
      throw invalid([{ path: 'body/fields', message: 'must be a JSON object' }])
    }
  }
  if (!Value.Check(UploadFields, value))
    throw invalid(
      [...Value.Errors(UploadFields, value)]
        .filter((e) => e.keyword !== 'boolean')
        .map((e) => ({
          path: `body${e.instancePath}${e.keyword === 'required' ? `/${(e.params as { requiredProperties?: string[] }).requiredProperties?.[0] ?? ''}` : ''}`,
          message: e.message,
        })),
    )
  return value as Static<typeof UploadFields>
}

const invalid = (errors: { path: string; message: string }[]) =>
  new AppError('validation_failed', 'The upload’s fields are not valid', { errors })
