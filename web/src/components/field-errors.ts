import { ApiError } from '../api/client'

/** Validation errors by dotted field path (`body/rules/0/on` → `rules.0.on`), or none. */
export const fieldErrorsOf = (err: unknown): Record<string, string> =>
  err instanceof ApiError ? err.fieldErrors() : {}

/** The first error at a field or anywhere below it, for inputs that hold a list (tags, options). */
export function errorAt(fields: Record<string, string>, path: string): string | undefined {
  const key = Object.keys(fields).find((k) => k === path || k.startsWith(`${path}.`))
  return key === undefined ? undefined : fields[key]
}

/**
 * Validation errors of a service that names fields itself, by dotted path: `{ path: 'targets/0/steps/1', message }`
 * (the SLA policies) or `{ field: 'weekly/0/start', reason }` (the calendars), with schema errors' `body/` dropped.
 * `fieldErrorsOf` reads only the first shape and takes the first segment for `body`.
 */
export function serviceFieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {}
  const out: Record<string, string> = {}
  const errors = (err.body.details?.errors ?? []) as {
    path?: string
    field?: string
    message?: string
    reason?: string
  }[]
  for (const e of errors) {
    const path = (e.path ?? e.field ?? '').replace(/^\/?body\/?/, '').replace(/^\//, '')
    out[path.replaceAll('/', '.') || 'body'] = e.message ?? e.reason ?? 'not valid'
  }
  return out
}
