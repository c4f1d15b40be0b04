import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** What each load-generator script reports (beside figures of its own). */
export type LoadReport = {
  requests_per_sec: number
  requests: number
  p50_ms: number
  p99_ms: number
  max_ms: number
  non_2xx: number
  errors: number
  timeouts: number
}

/** Runs a load-generator script in its own process (own event loop and core) and resolves with what it reports. */
export function forkLoad<T>(script: string, spec: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL(script, import.meta.url)), { stdio: 'inherit' })
    child.once('message', (m) => resolve(m as T))
    child.once('error', reject)
    child.send(spec)
  })
}

export const print = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`)
