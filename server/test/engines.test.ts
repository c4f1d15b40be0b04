import { readFileSync } from 'node:fs'
import semver from 'semver'
import { describe, expect, it } from 'vitest'

// The README promises Node.js 20 to 24: every package npm ci installs must say it runs on the lowest of them,
// or npm warns (EBADENGINE) and the package may use what Node 20 lacks.
const root = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[] }>
}

describe('the engines the lockfile installs', () => {
  it('all accept the oldest Node.js the project supports', () => {
    const oldest = semver.minVersion(root.engines.node)!.version
    const refusing = Object.entries(lock.packages)
      .flatMap(([name, p]) =>
        p.engines && !Array.isArray(p.engines) && p.engines.node ? [[name, p.engines.node] as const] : [],
      )
      .filter(([, range]) => !semver.satisfies(oldest, range))
      .map(([name, range]) => `${name.replace(/^.*node_modules\//, '')} wants node ${range}`)
    expect(oldest).toBe('20.19.0')
    expect(refusing).toEqual([])
  })
})
