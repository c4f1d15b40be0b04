import type { FastifyError, FastifyInstance } from 'fastify'
import { AppError, type ErrorCode, errorBody, errorCatalogue, type StatusOf } from '../errors.js'

type PgError = { code?: string; constraint?: string; severity?: string }

// Safety net for database refusals that bad input can still provoke; services should say it first.
const pgClientErrors: Record<string, [ErrorCode, string]> = {
  '23505': ['conflict', 'This conflicts with an existing record'],
  '23503': ['conflict', 'A referenced record does not exist or is still in use'],
  '23514': ['unprocessable', 'A value is outside what is allowed'],
  '22001': ['unprocessable', 'A value is too long'],
  '22003': ['unprocessable', 'A number is out of range'],
  '22P02': ['unprocessable', 'A value has the wrong format'],
  '22007': ['unprocessable', 'A date or time has the wrong format'],
  '22008': ['unprocessable', 'A date or time is out of range'],
  '22021': ['unprocessable', 'A value holds a character that cannot be stored'],
  '22P05': ['unprocessable', 'A value holds a character that cannot be stored'],
  '22P03': ['unprocessable', 'A value has the wrong format'],
  '22023': ['unprocessable', 'A value is not allowed here'],
  '22025': ['unprocessable', 'A value has an invalid escape sequence'],
  '2201B': ['unprocessable', 'A pattern is not a valid regular expression'],
}
// Any other data exception (class 22) is a value PostgreSQL refused: still the caller's input, never a 500.
const pgDataException: [ErrorCode, string] = ['unprocessable', 'A value cannot be stored or compared as given']

function toAppError(err: FastifyError & PgError): AppError {
  if (err instanceof AppError) return err
  if (err.validation) {
    const errors = err.validation.map((v) => ({
      path: `${err.validationContext ?? 'body'}${v.instancePath || ''}${v.keyword === 'required' ? `/${(v.params as { missingProperty: string }).missingProperty}` : ''}${v.keyword === 'additionalProperties' ? `/${(v.params as { additionalProperty: string }).additionalProperty}` : ''}`,
      message: v.message ?? 'is invalid',
    }))
    return new AppError('validation_failed', 'The request is not valid', { errors })
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The request body is too large')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Send JSON with Content-Type: application/json')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('invalid_json', 'The body is not valid JSON')
  }
  if (err instanceof SyntaxError && err.statusCode === 400)
    return new AppError('invalid_json', 'The body is not valid JSON')
  const pgRefusal =
    err.code && err.severity
      ? (pgClientErrors[err.code] ?? (err.code.startsWith('22') ? pgDataException : undefined))
      : undefined
  if (pgRefusal) {
    const [code, message] = pgRefusal
    return new AppError(code, message, err.constraint ? { constraint: err.constraint } : undefined)
  }
  if (err.statusCode === 429) return new AppError('too_many_requests', err.message)
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    const known = (errorCatalogue.bad_request as readonly number[]).includes(err.statusCode)
    return new AppError(
      'bad_request',
      err.message,
      undefined,
      known ? (err.statusCode as StatusOf<'bad_request'>) : 400,
    )
  }
  return new AppError('internal_error', 'Something went wrong on our side; the request id is in the logs')
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
      .send(errorBody(new AppError('route_not_found', `No route ${req.method} ${req.url.split('?')[0]}`))),
  )
}
