import type { FastifyError, FastifyInstance } from 'fastify'
import { AppError, errorBody, type ErrorCode } from '../errors.js'

type PgError = { code?: string; constraint?: string; severity?: string }

// Safety net for database refusals that bad input can still provoke; services should say it first.
const pgClientErrors: Record<string, [number, ErrorCode, string]> = {
  '23505': [409, 'conflict', 'This conflicts with an existing record'],
  '23503': [409, 'conflict', 'A referenced record does not exist or is still in use'],
  '23514': [422, 'unprocessable', 'A value is outside what is allowed'],
  '22001': [422, 'unprocessable', 'A value is too long'],
  '22003': [422, 'unprocessable', 'A number is out of range'],
  '22P02': [422, 'unprocessable', 'A value has the wrong format'],
  '22007': [422, 'unprocessable', 'A date or time has the wrong format'],
  '22008': [422, 'unprocessable', 'A date or time is out of range'],
  '22021': [422, 'unprocessable', 'A value holds a character that cannot be stored'],
  '22P05': [422, 'unprocessable', 'A value holds a character that cannot be stored'],
  '22P03': [422, 'unprocessable', 'A value has the wrong format'],
  '22023': [422, 'unprocessable', 'A value is not allowed here'],
  '22025': [422, 'unprocessable', 'A value has an invalid escape sequence'],
  '2201B': [422, 'unprocessable', 'A pattern is not a valid regular expression'],
}
// Any other data exception (class 22) is a value PostgreSQL refused: still the caller's input, never a 500.
const pgDataException: [number, ErrorCode, string] = [
  422,
  'unprocessable',
  'A value cannot be stored or compared as given',
]

function toAppError(err: FastifyError & PgError): AppError {
  if (err instanceof AppError) return err
  if (err.validation) {
    const errors = err.validation.map((v) => ({
      path: `${err.validationContext ?? 'body'}${v.instancePath || ''}${v.keyword === 'required' ? `/${(v.params as { missingProperty: string }).missingProperty}` : ''}${v.keyword === 'additionalProperties' ? `/${(v.params as { additionalProperty: string }).additionalProperty}` : ''}`,
      message: v.message ?? 'is invalid',
    }))
    return new AppError('validation_failed', 400, 'The request is not valid', { errors })
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 413, 'The request body is too large')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 415, 'Send JSON with Content-Type: application/json')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('invalid_json', 400, 'The body is not valid JSON')
  }
  if (err instanceof SyntaxError && err.statusCode === 400)
    return new AppError('invalid_json', 400, 'The body is not valid JSON')
  const pgRefusal =
    err.code && err.severity
      ? (pgClientErrors[err.code] ?? (err.code.startsWith('22') ? pgDataException : undefined))
      : undefined
  if (pgRefusal) {
    const [status, code, message] = pgRefusal
    return new AppError(code, status, message, err.constraint ? { constraint: err.constraint } : undefined)
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new AppError(err.statusCode === 429 ? 'too_many_requests' : 'bad_request', err.statusCode, err.message)
  }
  return new AppError('internal_error', 500, 'Something went wrong on our side; the request id is in the logs')
}

export function installErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError & PgError, req, reply) => {
    const appError = toAppError(error)
    if (appError.status >= 500) req.log.error({ err: error }, 'request failed')
    else if (!(error instanceof AppError) && !error.validation) req.log.warn({ err: error }, 'request refused')
    const retry = appError.details?.retry_after_seconds
    if (typeof retry === 'number') void reply.header('retry-after', String(retry))
    return reply.status(appError.status).send(errorBody(appError))
  })
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send(errorBody(new AppError('route_not_found', 404, `No route ${req.method} ${req.url.split('?')[0]}`))),
  )
}
