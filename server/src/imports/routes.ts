import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { requestContext } from '../auth/actor.js'
import { AppError } from '../errors.js'
import { routeOptions } from '../http/route.js'
import { runImport } from './service.js'
import type { ImportFormat } from './types.js'
import { ImportBody, ImportReply, ImportQuery } from './schemas.js'

// Larger files belong to `npx claimdesk import`, which streams them.
export const importBodyLimit = 8 * 1024 * 1024
const formats: Record<string, ImportFormat> = { 'application/x-ndjson': 'jsonl', 'text/csv': 'csv' }

const formatOf = (req: FastifyRequest) =>
  formats[(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()]

const importRoute = routeOptions('imports')

export const importRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Only in this plugin's scope: the bytes are kept as they came and streamed to the reader.
  app.addContentTypeParser(
    Object.keys(formats),
    { parseAs: 'buffer', bodyLimit: importBodyLimit },
    (_req, body, done) => done(null, body),
  )

  app.post(
    '/imports',
    {
      bodyLimit: importBodyLimit,
      // After authentication (a root hook), before the body is read: name the formats rather than let the JSON parser answer.
      onRequest: async (req) => {
        if (!formatOf(req))
          throw new AppError(
            'unsupported_media_type',
            'Send JSON lines (Content-Type: application/x-ndjson) or CSV (Content-Type: text/csv)',
          )
      },
      ...importRoute('imports.run', {
        summary:
          'Import orders, customers, shipments or historical cases from JSON lines or CSV (a few MB; use the CLI for larger files)',
        description:
          'Bad rows are refused and reported by line; the others land, each record whole. Re-sending the same body changes nothing.',
        consumes: Object.keys(formats),
        querystring: ImportQuery,
        body: ImportBody,
        response: { 200: ImportReply },
      }),
    },
    async (req) => {
      const { rows: _rows, ...result } = await runImport(
        app.db,
        requestContext(req),
        {
          type: req.query.type ?? 'orders',
          format: formatOf(req)!,
          source: req.query.source ?? 'import',
          input: Readable.from([req.body]),
        },
        new Date(),
      )
      return result
    },
  )
}
