// Upload load generator in its own process (own event loop, own memory), so the server's RSS is its own.
import { openAsBlob } from 'node:fs'
import { basename } from 'node:path'
import { percentile } from './percentile.mjs'

process.once('message', async ({ base, token, uploads }) => {
  const latencies = []
  const statuses = {}
  let errors = 0
  const started = performance.now()
  // All at once: `uploads` says which case, file and type each request carries.
  await Promise.all(
    uploads.map(async ({ caseId, file, type, contentType }) => {
      const form = new FormData()
      form.append('type', type)
      // openAsBlob reads from disk as the request streams: the client holds no copy of the file.
      form.append('file', await openAsBlob(file, { type: contentType }), basename(file))
      const t0 = performance.now()
      try {
        const res = await fetch(`${base}/api/v1/cases/${caseId}/evidence`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: form,
        })
        await res.arrayBuffer()
        statuses[res.status] = (statuses[res.status] ?? 0) + 1
      } catch {
        errors++
      }
      latencies.push(performance.now() - t0)
    }),
  )
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  process.send(
    {
      uploads: uploads.length,
      seconds: Number(seconds.toFixed(2)),
      uploads_per_sec: Number((uploads.length / seconds).toFixed(2)),
      p50_ms: Math.round(percentile(latencies, 50)),
      p99_ms: Math.round(percentile(latencies, 99)),
      max_ms: Math.round(latencies.at(-1) ?? 0),
      statuses,
      errors,
    },
    () => process.exit(0),
  )
})
