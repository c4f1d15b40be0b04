import { AppError } from '../errors.js'
import { maxJsonDepth, scanJson } from '../json-scan.js'

/**
 * A webhook body as JSON, refused (400) when it is not JSON or could never be processed. Run at intake, after
 * the signature, so a sender resending it gets the same answer instead of a delivery that fails on every
 * attempt: PostgreSQL cannot store NUL, and no provider nests anywhere near this deep.
 */
export function parseWebhookJson(body: Buffer | string, parse: (text: string) => unknown = JSON.parse): unknown {
  let value: unknown
  try {
    value = parse(typeof body === 'string' ? body : body.toString('utf8'))
  } catch {
    throw new AppError('invalid_json', 'The body is not valid JSON')
  }
  const scan = scanJson(value, { maxDepth: maxJsonDepth, maxFound: 1 })
  if (scan.tooDeep)
    throw new AppError('payload_invalid', `The body nests deeper than ${maxJsonDepth} levels`, {
      max_depth: maxJsonDepth,
    })
  if (scan.nulPaths.length)
    throw new AppError('payload_invalid', 'The body holds a NUL character, which cannot be stored', {
      path: scan.nulPaths[0],
    })
  return value
}
