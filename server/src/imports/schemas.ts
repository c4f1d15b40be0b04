import { Type } from 'typebox'
import { importTypes } from './types.js'

export const ImportQuery = Type.Object(
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
export const ImportReply = Type.Object({
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
export const ImportBody = Type.Unsafe<Buffer>({
  description: 'JSON lines (one record a line) or CSV with a header row; fields in server/src/imports/README.md',
})
