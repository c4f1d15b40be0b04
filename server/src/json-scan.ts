// PostgreSQL text and jsonb cannot hold U+0000, so input is scanned for it (keys too) before anything stores it.
// Iterative: a parsed JSON body may nest far deeper than the call stack.

/** Deeper than any payload we or a provider write; walking (or storing) deeper JSON would take the call stack. */
export const maxJsonDepth = 64

export type JsonScan = { nulPaths: string[]; tooDeep: boolean }

/** Paths (`prefix/key/0/…`) of the strings and keys holding NUL, in document order, up to `maxFound`. */
export function scanJson(root: unknown, o: { prefix?: string; maxDepth?: number; maxFound?: number } = {}): JsonScan {
  // Nearly every body is clean: one walk without paths (no string built per node, on every webhook's path),
  // and the walk that names the fields only for a body that has something to name.
  const { maxDepth = Infinity } = o
  const quick = findTrouble(root, maxDepth)
  if (quick === 'none') return { nulPaths: [], tooDeep: false }
  return scanWithPaths(root, o)
}

function findTrouble(root: unknown, maxDepth: number): 'none' | 'nul' | 'deep' {
  const stack: [unknown, number][] = [[root, 1]]
  while (stack.length) {
    const [value, depth] = stack.pop()!
    if (typeof value === 'string') {
      if (value.includes('\0')) return 'nul'
    } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
      if (depth > maxDepth) return 'deep'
      for (const key in value) {
        if (key.includes('\0')) return 'nul'
        stack.push([(value as Record<string, unknown>)[key], depth + 1])
      }
    }
  }
  return 'none'
}

function scanWithPaths(root: unknown, o: { prefix?: string; maxDepth?: number; maxFound?: number }): JsonScan {
  const { prefix = '', maxDepth = Infinity, maxFound = 20 } = o
  const nulPaths: string[] = []
  const stack: [unknown, string, number][] = [[root, prefix, 1]]
  while (stack.length && nulPaths.length < maxFound) {
    const [value, path, depth] = stack.pop()!
    if (typeof value === 'string') {
      if (value.includes('\0')) nulPaths.push(path)
    } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
      if (depth > maxDepth) return { nulPaths, tooDeep: true }
      const entries = Object.entries(value)
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!
        // A key with NUL is scanned as the key's own string, at the key's path.
        stack.push([key.includes('\0') ? key : child, `${path}/${key}`, depth + 1])
      }
    }
  }
  return { nulPaths, tooDeep: false }
}
