import { Type, type TProperties, type TSchema } from 'typebox'

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable, machine-readable; branch on this' }),
      message: Type.String({ description: 'For people; may change' }),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { $id: undefined, title: 'Error' },
)

export const Uuid = Type.String({ format: 'uuid', description: 'UUIDv7' })
// Services return Date; the serializer writes ISO 8601 (UTC, with Z).
export const Timestamp = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' })
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()])

const pageProperties = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'next_cursor from the previous page' })),
}

export const PageQuery = Type.Object(pageProperties, { additionalProperties: false })

/** A list's query: the page parameters plus its filters; anything else is refused. */
export const PageQueryWith = <P extends TProperties>(filters: P) =>
  Type.Object({ ...pageProperties, ...filters }, { additionalProperties: false })

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    data: Type.Array(item),
    next_cursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as `cursor` for the next page; null on the last page',
    }),
  })
