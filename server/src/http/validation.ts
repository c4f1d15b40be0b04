import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, errorBody } from '../errors.js'
import { maxJsonDepth, scanJson } from '../json-scan.js'

// Bodies are JSON and must carry the declared types: 12345 is not a name. Query strings and path
// parameters are text by nature, so only they are coerced (limit=50 → 50).
function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    removeAdditional: false,
    coerceTypes: coerce ? 'array' : false,
    strict: false,
  })
  addFormats.default(ajv)
  return ajv
}

let payloadAjv: Ajv | undefined
/** A validator for JSON payloads that arrive outside routes (webhook bodies), with the API's rules. */
export function compilePayloadSchema<T>(schema: object): ValidateFunction<T> {
  payloadAjv ??= makeAjv(false)
  return payloadAjv.compile<T>(schema)
}

const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
// `properties` present, or the OpenAPI generator reads the schema's own keys as query parameters.
const emptyQuery = { type: 'object', properties: {}, additionalProperties: false }

function refuseBody(req: FastifyRequest, _reply: unknown, done: (err?: Error) => void) {
  const b = req.body as unknown
  const empty =
    b === undefined ||
    b === null ||
    (typeof b === 'object' && !Array.isArray(b) && Object.keys(b as object).length === 0)
  done(
    empty
      ? undefined
      : new AppError('validation_failed', 'This endpoint takes no request body', {
          errors: [{ path: 'body', message: 'must be empty' }],
        }),
  )
}

// Once for every route, before its schema (webhook bodies stay Buffers here and are checked at intake): what
// PostgreSQL cannot store, a NUL character, and free-form JSON too deep to walk or serialise.
// Callback hooks, not async ones: every request passes these, and an async hook costs each a promise.
function refuseUnstorable(req: FastifyRequest, _reply: unknown, done: (err?: Error) => void) {
  const parts: [string, unknown][] = [
    ['params', req.params],
    ['querystring', req.query],
    ['body', req.body],
  ]
  const scans = parts.map(([prefix, value]) => scanJson(value, { prefix, maxDepth: maxJsonDepth }))
  const errors = scans.flatMap((scan) =>
    scan.nulPaths.map((path) => ({ path, message: 'must not contain a NUL character' })),
  )
  if (scans.some((scan) => scan.tooDeep))
    errors.push({ path: 'body', message: `must not nest deeper than ${maxJsonDepth} levels` })
  done(errors.length ? new AppError('validation_failed', 'The request is not valid', { errors }) : undefined)
}

export function installValidation(app: FastifyInstance) {
  const bodyAjv = makeAjv(false)
  const textAjv = makeAjv(true)
  app.setValidatorCompiler(
    ({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema) as ValidateFunction,
  )
  // The API speaks JSON only; webhook routes register their own raw parsers in their scope.
  app.removeContentTypeParser(['text/plain'])
  app.addHook('onRequest', refuseLongUrl)
  app.addHook('preValidation', refuseUnstorable)
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1')) return
    const schema = (route.schema ??= {}) as { querystring?: unknown; body?: unknown }
    // Unknown query parameters are refused like unknown body fields, not silently ignored.
    schema.querystring ??= emptyQuery
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (!schema.body && methods.some((m) => mutating.has(m))) {
      const pre = route.preValidation
      route.preValidation = [...(Array.isArray(pre) ? pre : pre ? [pre] : []), refuseBody]
    }
  })
}

// Node refuses a request line and headers over maxHeaderSize before Fastify sees it (16 KiB by default, which long
// filter URLs reach); we take more and refuse long URLs ourselves, so both answer the error envelope.
export const maxHeaderSize = 64 * 1024
export const maxUrlLength = 16 * 1024

function refuseLongUrl(req: FastifyRequest, _reply: unknown, done: (err?: Error) => void) {
  done(
    req.url.length > maxUrlLength
      ? new AppError('uri_too_long', `The URL is longer than ${maxUrlLength} characters`)
      : undefined,
  )
}

/** Fastify's clientErrorHandler: what Node's HTTP parser refuses, on the raw socket, in the error envelope. */
export function clientErrors(err: Error & { code?: string }, socket: Duplex) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const error =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new AppError('headers_too_large', `The request line and headers are larger than ${maxHeaderSize} bytes`)
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AppError('request_timeout', 'The request took too long to arrive')
        : new AppError('bad_request', 'The request is not valid HTTP')
  const body = JSON.stringify(errorBody(error))
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy(err)
}

export function frameworkErrors(error: FastifyError, _req: FastifyRequest, reply: FastifyReply) {
  const err =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new AppError('uri_too_long', 'A path parameter is too long')
      : new AppError('bad_url', 'The URL is not valid')
  void reply.status(err.status).send(errorBody(err))
}
