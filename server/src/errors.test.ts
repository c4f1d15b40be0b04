import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { errorCatalogue } from './errors.js'

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f)
    if (statSync(p).isDirectory()) return sources(p)
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : []
  })
}

describe('error catalogue', () => {
  it('declares every code thrown in the source with the status it is thrown with', () => {
    const mismatches: string[] = []
    let seen = 0
    for (const file of sources(path.dirname(new URL(import.meta.url).pathname))) {
      for (const [, code, status] of readFileSync(file, 'utf8').matchAll(/new AppError\(\s*'([a-z_]+)',\s*(\d{3})/g)) {
        seen++
        const declared = errorCatalogue[code as keyof typeof errorCatalogue] as number | readonly number[] | undefined
        const allowed = declared === undefined ? [] : typeof declared === 'number' ? [declared] : declared
        if (!allowed.includes(Number(status)))
          mismatches.push(
            `${path.basename(file)}: ${code} thrown with ${status}, catalogue says ${JSON.stringify(declared)}`,
          )
      }
    }
    expect(mismatches).toEqual([])
    expect(seen).toBeGreaterThan(50)
  })

  it('uses lower snake_case codes and HTTP error statuses', () => {
    for (const [code, status] of Object.entries(errorCatalogue)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/)
      for (const s of typeof status === 'number' ? [status] : status) expect(s >= 400 && s < 600).toBe(true)
    }
  })
})
