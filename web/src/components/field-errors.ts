import { ApiError } from '../api/client'

/** Validation errors by dotted field path (`body/rules/0/on` → `rules.0.on`), or none. */
export const fieldErrorsOf = (err: unknown): Record<string, string> =>
  err instanceof ApiError ? err.fieldErrors() : {}

/** The first error at a field or anywhere below it, for inputs that hold a list (tags, options). */
export function errorAt(fields: Record<string, string>, path: string): string | undefined {
  const key = Object.keys(fields).find((k) => k === path || k.startsWith(`${path}.`))
  return key === undefined ? undefined : fields[key]
}

/** An error no field can show (no recipient, a conflict): the server's message, or that it could not be reached. */
export function generalError(err: unknown, fields: Record<string, string>): string | undefined {
  if (!err || Object.keys(fields).length) return undefined
  return err instanceof ApiError ? err.message : 'The server could not be reached.'
}
