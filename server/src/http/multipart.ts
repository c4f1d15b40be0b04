import multipart, { type MultipartFile } from '@fastify/multipart'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../errors.js'

/**
 * Multipart uploads, registered once for the whole API. Nothing is parsed before a route asks (readUpload), and
 * files stream: `maxFileBytes` is the global cap (FILES_MAX_BYTES); routes hold each file to its own, lower, one.
 */
export async function installMultipart(app: FastifyInstance, maxFileBytes: number): Promise<void> {
  await app.register(multipart, {
    // One past the cap, so the route's own metering refuses first with its clear error.
    limits: { fileSize: maxFileBytes + 1, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 21, headerPairs: 100 },
    throwFileSizeLimit: true,
    // The name as sent: routes sanitise it themselves (and refuse one that is only path segments).
    preservePath: true,
  })
}

export type Upload = { file: MultipartFile['file']; filename: string; fields: Record<string, string> }

/** The request's one file part and the fields sent before it (send fields first: the file is read as it streams). */
export async function readUpload(req: FastifyRequest): Promise<Upload> {
  if (!req.isMultipart())
    throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data', {
      content_type: req.headers['content-type'] ?? null,
    })
  let part: Awaited<ReturnType<FastifyRequest['file']>>
  try {
    part = await req.file()
  } catch (err) {
    throw new AppError('bad_request', `The multipart body is not valid: ${(err as Error).message}`, undefined, 400)
  }
  if (!part) throw new AppError('file_missing', 'The request has no file part')
  const fields: Record<string, string> = {}
  for (const [name, value] of Object.entries(part.fields)) {
    const one = Array.isArray(value) ? value[0] : value
    if (one && one.type === 'field' && typeof one.value === 'string') fields[name] = one.value
  }
  return { file: part.file, filename: part.filename, fields }
}
