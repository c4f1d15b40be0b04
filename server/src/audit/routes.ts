import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { invalidCursor } from '../cursors.js'
import { AppError } from '../errors.js'
import { listPage } from '../http/pagination.js'
import { routeOptions } from '../http/route.js'
import { Page, PageQuery } from '../http/schemas.js'
import { auditSigner } from './checkpoints.js'
import { listEntries, listSignedCheckpoints } from './history.js'
import { AuditEntryQuery, AuditEntryView, CheckpointPage, VerifyReportView } from './schemas.js'
import { verifyWorkspace } from './verify.js'

// Checkpoints are keyed by seq, not by a UUID, so their cursor is the last seq (still opaque to clients).
const seqCursor = (seq: number) => Buffer.from(`seq:${seq}`).toString('base64url')
function decodeSeqCursor(cursor: string | undefined): number {
  if (!cursor) return 0
  const m = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (!m) throw invalidCursor()
  return Number(m[1])
}

const auditRoute = routeOptions('audit')

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/audit',
    auditRoute('audit.read', {
      summary: "One record's audit entries, oldest first, with their place in the hash chain",
      querystring: AuditEntryQuery,
      response: { 200: Page(AuditEntryView) },
    }),
    async (req) => {
      const [entityType, entityId] = req.query.entity
        ? [
            req.query.entity.slice(0, req.query.entity.indexOf(':')),
            req.query.entity.slice(req.query.entity.indexOf(':') + 1),
          ]
        : [req.query.entity_type, req.query.entity_id]
      if (!entityType || !entityId || (req.query.entity && (req.query.entity_type || req.query.entity_id))) {
        throw new AppError(
          'validation_failed',
          'Name the record as entity=type:id, or with entity_type and entity_id',
          { errors: [{ path: 'querystring/entity', message: 'names no single record' }] },
        )
      }
      const page = await listPage(req.query, (p) =>
        listEntries(app.db, req.actor.merchantId, { ...p, entityType, entityId }),
      )
      // No entries at all: the record is unknown here, or another workspace's; both answer alike.
      if (!req.query.cursor && !page.data.length) {
        throw new AppError('audit_record_not_found', 'This workspace has no audit entries for that record', {
          entity_type: entityType,
          entity_id: entityId,
        })
      }
      return page
    },
  )

  app.get(
    '/audit/verify',
    auditRoute('audit.read', {
      summary: "Verify this workspace's audit chain and its signed checkpoints",
      description:
        'Answers 200 with the report whether or not the chain is intact; `ok: false` names the first bad seq and the problem.',
      response: { 200: VerifyReportView },
    }),
    async (req) => verifyWorkspace(app.ctx, req.actor.merchantId),
  )

  app.get(
    '/audit/checkpoints',
    auditRoute('audit.read', {
      summary: 'Signed chain heads and the public key that checks them offline',
      querystring: PageQuery,
      response: { 200: CheckpointPage },
    }),
    async (req) => {
      const limit = req.query.limit ?? 50
      const signer = auditSigner(app.ctx.keys.audit)
      const rows = await listSignedCheckpoints(app.db, req.actor.merchantId, {
        afterSeq: decodeSeqCursor(req.query.cursor),
        limit: limit + 1,
      })
      const data = rows.slice(0, limit)
      return {
        data,
        next_cursor: rows.length > limit ? seqCursor(data[data.length - 1]!.seq) : null,
        public_key: { algorithm: 'Ed25519' as const, key_id: signer.keyId, pem: signer.publicKeyPem },
      }
    },
  )
}
