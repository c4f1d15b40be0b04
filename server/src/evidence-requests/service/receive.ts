import { type Readable, Transform } from 'node:stream'
import type { Db } from '../../db/database.js'
import { AppError } from '../../errors.js'
import { addEvidence, type EvidenceItem } from '../../evidence/index.js'
import type { PortalTarget } from './portal.js'
import { recordEvidenceReceived } from './progress.js'

/** A part of a multipart upload as the route's parser gives it (the service stays clear of Fastify). */
export type UploadPart =
  | { type: 'field'; fieldname: string; value: unknown }
  | { type: 'file'; fieldname: string; filename: string; file: Readable & { truncated?: boolean } }

/**
 * A portal upload's parts: a `type` field names the type of the files after it. Each file becomes evidence as it
 * streams in (addEvidence refuses a bad one and leaves nothing of it); the files that came in before a refused one
 * stay, and are recorded as received either way.
 */
export async function receivePortalParts(db: Db, target: PortalTarget, parts: AsyncIterable<UploadPart>, now: Date) {
  const { ctx, request } = target
  let type: string | undefined
  const items: EvidenceItem[] = []
  try {
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.fieldname === 'type') type = String(part.value)
        continue
      }
      const file = part.file
      if (!type || !request.type_keys.includes(type)) {
        file.resume()
        if (!type)
          throw new AppError('validation_failed', 'Send the type field before its files', {
            errors: [{ path: 'body/type', message: 'must come before the files' }],
          })
        throw new AppError('evidence_type_not_requested', 'This request did not ask for that type', {
          type_key: type,
          wanted: request.type_keys,
        })
      }
      items.push(
        await addEvidence(ctx, {
          caseId: request.case_id,
          typeKey: type,
          source: 'portal',
          uploader: { kind: 'customer', ...(target.customerId && { actorId: target.customerId }) },
          file: { stream: whole(file), filename: part.filename },
          requestId: request.id,
        }),
      )
    }
  } finally {
    if (items.length) await db.transaction().execute((trx) => recordEvidenceReceived(trx, ctx, request.id, items, now))
  }
  if (!items.length) throw new AppError('evidence_files_missing', 'Send at least one file')
  return items
}

/**
 * The parser cuts a file at FILES_MAX_BYTES and ends it as if whole (often before this code sees the part): a file
 * still truncated at its end fails there instead, so the store keeps nothing of it.
 */
function whole(file: Readable & { truncated?: boolean }): Readable {
  const guard = new Transform({
    transform: (chunk, _encoding, done) => done(null, chunk),
    flush: (done) => done(file.truncated ? new AppError('file_too_large', 'The file is too large') : null),
  })
  file.once('error', (err) => guard.destroy(err))
  return file.pipe(guard)
}
