import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { AppError, errorCatalogue } from './errors.js'

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f)
    if (statSync(p).isDirectory()) return sources(p)
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : []
  })
}

describe('error catalogue', () => {
  it('leaves statuses to the catalogue: no throw names one for a code that has only one', () => {
    const named: string[] = []
    let seen = 0
    for (const file of sources(path.dirname(new URL(import.meta.url).pathname))) {
      const text = readFileSync(file, 'utf8')
      seen += text.match(/new AppError\(/g)?.length ?? 0
      for (const [, code] of text.matchAll(/new AppError\(\s*'([a-z_]+)',\s*\d/g))
        named.push(`${path.basename(file)}: ${code}`)
    }
    expect(named).toEqual([])
    expect(seen).toBeGreaterThan(50)
  })

  it("takes the status from the catalogue, or the one named among a code's several", () => {
    expect(new AppError('case_not_found', 'No such case').status).toBe(404)
    expect(new AppError('link_invalid', 'Not valid').status).toBe(401)
    expect(new AppError('link_invalid', 'Not valid here', undefined, 403).status).toBe(403)
    // @ts-expect-error a status outside the code's catalogue entry does not compile
    expect(new AppError('case_not_found', 'x', undefined, 409).status).toBe(409)
  })

  it('uses lower snake_case codes and HTTP error statuses', () => {
    for (const [code, status] of Object.entries(errorCatalogue)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/)
      for (const s of typeof status === 'number' ? [status] : status) expect(s >= 400 && s < 600).toBe(true)
    }
  })
})
