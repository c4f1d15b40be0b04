// The one error type. Every code a client may branch on is declared here, once.
export const errorCodes = {
  validation_failed: 400,
  invalid_json: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  csrf_failed: 403, // cookie-authenticated mutation without the session's CSRF token
  not_found: 404,
  route_not_found: 404,
  conflict: 409,
  idempotency_in_progress: 409, // same Idempotency-Key still being processed
  idempotency_key_reused: 422, // same Idempotency-Key sent with a different request
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_attempts: 429,
  signature_invalid: 401, // webhook signature did not verify against any active secret
  internal_error: 500,
  not_ready: 503,
} as const

export type ErrorCode = string

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
    this.name = 'AppError'
  }
}

export function notFound(entity: string, id: string): AppError {
  return new AppError(`${entity}_not_found`, 404, `No such ${entity.replace(/_/g, ' ')}`, { [`${entity}_id`]: id })
}

export type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } }

export function errorBody(err: AppError): ErrorBody {
  return { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } }
}
