import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { requestContext } from '../auth/actor.js'
import { AppError } from '../errors.js'
import { runImport } from './service.js'
import { importTypes, type ImportFormat } from './types.js'

// Larger files belong to `npx claimdesk import`, which streams them.
export const importBodyLimit = 8 * 1024 * 1024
const formats: Record<string, ImportFormat> = { 'application/x-ndjson': 'jsonl', 'text/csv': 'csv' }

const Query = Type.Object(
  {
    type: Type.Optional(
      Type.Union(
        importTypes.map((t) => Type.Literal(t)),
        { default: 'orders' },
      ),
    ),
    source: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9][a-z0-9_.:-]{0,39}$',
        default: 'import',
        description: "With each record's external_id, identifies the record",
      }),
    ),
  },
  { additionalProperties: false },
)
const ImportReply = Type.Object({
  imported: Type.Integer({ description: 'records created' }),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  failed: Type.Integer({ description: 'records refused; the others landed' }),
  errors: Type.Array(
    Type.Object({ line: Type.Integer(), field: Type.Union([Type.String(), Type.Null()]), message: Type.String() }),
    { description: 'the first 1,000 problems' },
  ),
  errors_truncated: Type.Boolean(),
  unlinked: Type.Optional(
    Type.Integer({
      description:
        'cases only: records that landed without the order or customer they name (none was imported from this source)',
    }),
  ),
})

// The raw bytes (a Buffer from the parser below), one record a line or a CSV with a header row.
const Body = Type.Unsafe<Buffer>({
  description: 'JSON lines (one record a line) or CSV with a header row; fields in server/src/imports/README.md',
})

const formatOf = (req: FastifyRequest) =>
  formats[(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()]

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
      config: { permission: 'imports.run' },
      // After authentication (a root hook), before the body is read: name the formats rather than let the JSON parser answer.
      onRequest: async (req) => {
        if (!formatOf(req))
          throw new AppError(
            'unsupported_media_type',
            'Send JSON lines (Content-Type: application/x-ndjson) or CSV (Content-Type: text/csv)',
          )
      },
      schema: {
        tags: ['imports'],
        summary:
          'Import orders, customers, shipments or historical cases from JSON lines or CSV (a few MB; use the CLI for larger files)',
        description:
          'Bad rows are refused and reported by line; the others land, each record whole. Re-sending the same body changes nothing.',
        consumes: Object.keys(formats),
        querystring: Query,
        body: Body,
        response: { 200: ImportReply },
      },
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
