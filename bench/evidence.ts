import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import http from 'node:http'
import { Readable } from 'node:stream'
import sharp from 'sharp'
import { buildApp } from '../server/src/app.js'
import { systemContext } from '../server/src/auth/actor.js'
import { openCase } from '../server/src/cases/service.js'
import { createApiKey } from '../server/src/roles/api-keys.js'
import { findBuiltinRoleId } from '../server/src/roles/service.js'
import { modules } from '../server/src/registry.js'
import { print } from './fork.js'
import { percentile } from './percentile.mjs'
import { createBenchMerchant, openBenchRuntime } from './setup.js'

const MB = 1_000_000

/**
 * `npm run bench -- evidence [--concurrency n]`: one 100 MB PDF uploaded alone (peak RSS growth while it streams;
 * floor: ≤ 64 MB), then `--concurrency` (200) concurrent 5 MB photo uploads, each decoded and re-encoded (uploads a
 * second, p99, peak RSS growth).
 */
export async function run(opts: Record<string, string | boolean | undefined>) {
  const concurrency = Number(opts.concurrency ?? 200)
  const { dataDir, runtime } = await openBenchRuntime('claimdesk-bench-evidence-')
  const ctx = { ...runtime.ctx, config: { ...runtime.ctx.config, filesMaxBytes: 150 * MB } }
  const app = await buildApp(ctx, modules)
  try {
    const base = await app.listen({ host: '127.0.0.1', port: 0 })
    const { key, caseId } = await ctx.db.transaction().execute(async (trx) => {
      const merchant = await createBenchMerchant(trx, 'evidence-bench', 'Evidence bench')
      const sys = systemContext(merchant.id)
      const roleId = await findBuiltinRoleId(trx, merchant.id, 'admin')
      const apiKey = await createApiKey(trx, sys, { name: 'bench', roleId }, new Date())
      const c = await openCase(trx, sys, { caseType: 'damaged', subject: 'Bench case' }, new Date())
      return { key: apiKey.key, caseId: c.id }
    })
    const url = `${base}/api/v1/cases/${caseId}/evidence`
    print({ bench: 'evidence', phase: 'config', concurrency, pdf_bytes: 100 * MB })

    const big = await measureRss(() => uploadStreamedPdf(url, key, 100 * MB))
    print({ bench: 'evidence', phase: 'pdf', seconds: big.seconds, rss_growth_mb: big.growthMb, status: big.result })

    const photo = await sharp(randomBytes(2400 * 1700 * 3), { raw: { width: 2400, height: 1700, channels: 3 } })
      .jpeg({ quality: 97 })
      .toBuffer()
    const latencies: number[] = []
    const burst = await measureRss(async () => {
      const statuses = await Promise.all(
        Array.from({ length: concurrency }, async (_, i) => {
          const started = performance.now()
          const status = await upload(url, key, 'damage_photo', `photo-${i}.jpg`, [photo])
          latencies.push(performance.now() - started)
          return status
        }),
      )
      return statuses.filter((s) => s === 201).length
    })
    latencies.sort((a, b) => a - b)
    print({
      bench: 'evidence',
      phase: 'photos',
      photo_bytes: photo.length,
      uploads: concurrency,
      accepted: burst.result,
      uploads_per_second: Math.round((concurrency / burst.seconds) * 10) / 10,
      p50_ms: Math.round(percentile(latencies, 50)),
      p99_ms: Math.round(percentile(latencies, 99)),
      rss_growth_mb: burst.growthMb,
    })
    print({
      bench: 'evidence',
      summary: true,
      pdf_rss_growth_mb: big.growthMb,
      pdf_floor_ok: big.growthMb <= 64,
      photo_uploads_per_second: Math.round((concurrency / burst.seconds) * 10) / 10,
      photo_p99_ms: Math.round(percentile(latencies, 99)),
      photo_rss_growth_mb: burst.growthMb,
    })
  } finally {
    await app.close()
    await runtime.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function measureRss<T>(work: () => Promise<T>) {
  const before = process.memoryUsage().rss
  let peak = before
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 10)
  const started = performance.now()
  try {
    const result = await work()
    return {
      result,
      seconds: Math.round((performance.now() - started) / 10) / 100,
      growthMb: Math.round((peak - before) / 100_000) / 10,
    }
  } finally {
    clearInterval(timer)
  }
}

/** A PDF generated as it is sent: nothing on the client side holds it whole. */
function uploadStreamedPdf(url: string, key: string, size: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 'A')
  async function* pdf() {
    yield Buffer.from('%PDF-1.7\n%')
    for (let sent = 0; sent < size; sent += chunk.length) yield chunk
    yield Buffer.from('\n%%EOF\n')
  }
  return upload(url, key, 'invoice', 'big.pdf', pdf())
}

/** One multipart upload over its own request, the file's bytes written as they come (shared buffers not copied). */
function upload(
  url: string,
  key: string,
  type: string,
  name: string,
  file: Iterable<Buffer> | AsyncIterable<Buffer>,
): Promise<number> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\n${type}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\n`,
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  async function* body() {
    yield head
    yield* file
    yield tail
  }
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    })
    req.on('response', (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    Readable.from(body()).pipe(req)
  })
}
