import createClient, { type Middleware } from 'openapi-fetch'
import type { paths } from './schema'

/** The API's error envelope: `{ "error": { code, message, details } }`. */
export type ApiErrorBody = {
  code: string
  message: string
  details?: { errors?: { path: string; message: string }[] } & Record<string, unknown>
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message)
  }

  get code() {
    return this.body.code
  }

  /** Validation errors by field name (`body/priority` → `priority`), to show beside their fields. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const e of this.body.details?.errors ?? [])
      if (typeof e.path === 'string') out[e.path.split('/').slice(1).join('.') || e.path] = e.message
    return out
  }
}

let csrfToken: string | undefined
/** The session's CSRF token, sent on every mutating request the cookie authenticates. */
export const setCsrfToken = (token: string | undefined) => {
  csrfToken = token
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (csrfToken && request.method !== 'GET' && request.method !== 'HEAD')
      request.headers.set('x-csrf-token', csrfToken)
    return request
  },
}

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' })
api.use(csrf)

/** The body of a 2xx, or an ApiError carrying the server's error envelope. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call
  if (!response.ok) {
    const body = (error as { error?: ApiErrorBody } | undefined)?.error
    throw new ApiError(
      response.status,
      body ?? { code: `http_${response.status}`, message: response.statusText || 'The server did not answer' },
    )
  }
  return data as T
}

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never
/** The JSON body of an operation's 200/201 answer: types come from the OpenAPI document, not by hand. */
export type Reply<P extends keyof paths, M extends 'get' | 'post' | 'patch' | 'put'> = paths[P][M] extends {
  responses: infer R
}
  ? R extends { 200: infer A }
    ? Json<A>
    : R extends { 201: infer B }
      ? Json<B>
      : never
  : never
/** The JSON body an operation takes. */
export type Body<P extends keyof paths, M extends 'post' | 'patch' | 'put'> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } }
}
  ? B
  : never
/** The query parameters of a GET. */
export type Query<P extends keyof paths> = paths[P]['get'] extends { parameters: { query?: infer Q } }
  ? NonNullable<Q>
  : never

/**
 * Sends a multipart form (file uploads) with the session's CSRF token, reporting upload progress (0–1):
 * fetch cannot report it, XMLHttpRequest can. Resolves with the JSON answer or rejects with an ApiError.
 */
export function sendForm<T>(url: string, form: FormData, onProgress?: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', url)
    xhr.withCredentials = true
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress?.(e.loaded / e.total)
    }
    xhr.onload = () => {
      let body: unknown
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        body = undefined
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T)
      else
        reject(
          new ApiError(
            xhr.status,
            (body as { error?: ApiErrorBody } | undefined)?.error ?? {
              code: `http_${xhr.status}`,
              message: xhr.statusText || 'The server did not answer',
            },
          ),
        )
    }
    xhr.onerror = () => reject(new ApiError(0, { code: 'network_error', message: 'The upload did not reach us' }))
    xhr.send(form)
  })
}
