import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs'
import { once } from 'node:events'
import path from 'node:path'
import sharp from 'sharp'
import { forkLoad, print } from './fork.js'
import { createBenchMerchant, openBenchRuntime } from './setup.js'
import { systemContext } from '../server/src/auth/actor.js'
import { buildApp } from '../server/src/app.js'
import { openCase } from '../server/src/cases/service.js'
import { modules } from '../server/src/registry.js'
import { createApiKey } from '../server/src/roles/api-keys.js'
import { findBuiltinRoleId } from '../server/src/roles/service.js'

type UploadReport = {
  uploads: number
  seconds: number
  uploads_per_sec: number
  p50_ms: number
  p99_ms: number
  max_ms: number
  statuses: Record<string, number>
  errors: number
}
type Upload = { caseId: string; file: string; type: string; contentType: string }

const mb = 1024 * 1024
const upload = (spec: { base: string; token: string; uploads: Upload[] }) =>
  forkLoad<UploadReport>('./upload-load.mjs', spec)

/** A real photo of about `bytes`: camera-like noise (the hardest case for the re-encode), JPEG at quality 92. */
async function photoOf(bytes: number, file: string) {
  let side = Math.round(Math.sqrt(bytes / 1.6))
  for (let tries = 0; tries < 4; tries++) {
    const width = Math.round(side * 1.33)
    const raw = randomBytes(width * side * 3)
    const jpeg = await sharp(raw, { raw: { width, height: side, channels: 3 } })
      .jpeg({ quality: 92 })
      .toBuffer()
    if (Math.abs(jpeg.length - bytes) < bytes * 0.05 || tries === 3) {
      await sharp(jpeg).toFile(file)
      return jpeg.length
    }
    side = Math.round(side * Math.sqrt(bytes / jpeg.length))
  }
  return 0
}

/** A valid PDF of `bytes`, one page whose content stream is that long: written to disk, never held in memory. */
async function pdfOf(bytes: number, file: string) {
  const out = createWriteStream(file)
  const head = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'
  const line = '10 10 m 200 200 l S\n'
  const lines = Math.ceil((bytes - 400) / line.length)
  const objects: number[] = []
  let at = 0
  const write = async (s: string) => {
    if (!out.write(Buffer.from(s, 'latin1'))) await once(out, 'drain')
    at += Buffer.byteLength(s, 'latin1')
  }
  await write(head)
  objects[1] = at
  await write('1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n')
  objects[2] = at
  await write('2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n')
  objects[3] = at
  await write('3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n')
  objects[4] = at
  await write(`4 0 obj\n<< /Length ${lines * line.length} >>\nstream\n`)
  const chunk = line.repeat(4096)
  for (let i = 0; i < Math.floor(lines / 4096); i++) await write(chunk)
  await write(line.repeat(lines % 4096))
  await write('\nendstream\nendobj\n')
  const xref = at
  const offsets = [1, 2, 3, 4].map((n) => `${String(objects[n]).padStart(10, '0')} 00000 n \n`).join('')
  await write(
    `xref\n0 5\n0000000000 65535 f \n${offsets}trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`,
  )
  out.end()
  await once(out, 'finish')
  return statSync(file).size
}

async function sha256Of(file: string) {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk)
  return hash.digest('hex')
}

/** Samples the server's RSS every 10 ms; `stop` answers the peak growth over the RSS when it started. */
function watchRss() {
  const base = process.memoryUsage.rss()
  let peak = base
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 10)
  return {
    stop() {
      clearInterval(timer)
      return {
        rss_before_mb: Number((base / mb).toFixed(1)),
        peak_rss_growth_mb: Number(((peak - base) / mb).toFixed(1)),
      }
    },
  }
}

/**
 * Evidence uploads over real HTTP (multipart, API key): `--concurrency` 5 MB photos at once (decoded, re-encoded,
 * thumbnailed), and, first and alone, one `--size` MB PDF; the load generator runs in its own process, so the RSS measured
 * is the server's own.
 */
export async function run(opts: Record<string, string | boolean | undefined>) {
  const concurrency = Number(opts.concurrency ?? 200)
  const bigMb = Number(opts.size ?? 100)
  const { dataDir, runtime } = await openBenchRuntime('claimdesk-bench-evidence-')
  const { ctx } = runtime
  // The big upload needs a global cap above it; photos keep their type's own cap.
  ctx.config.filesMaxBytes = Math.max(ctx.config.filesMaxBytes, (bigMb + 10) * mb)
  try {
    const photo = path.join(dataDir, 'damage.jpg')
    const big = path.join(dataDir, 'manifest.pdf')
    const bigBytes = await pdfOf(bigMb * 1_000_000, big)
    const { token, caseIds } = await ctx.db.transaction().execute(async (trx) => {
      const merchant = await createBenchMerchant(trx, 'bench', 'Bench Ltd')
      const c = systemContext(merchant.id)
      const roleId = await findBuiltinRoleId(trx, merchant.id, 'admin')
      const key = (await createApiKey(trx, c, { name: 'bench', roleId }, new Date())).key
      const ids: string[] = []
      for (let i = 0; i < 20; i++)
        ids.push((await openCase(trx, c, { caseType: 'damaged', subject: `Damaged parcel ${i}` }, new Date())).id)
      return { token: key, caseIds: ids }
    })
    const app = await buildApp(ctx, modules)
    await app.listen({ port: 0, host: '127.0.0.1' })
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    print({
      bench: 'evidence',
      phase: 'config',
      concurrency,
      big_bytes: bigBytes,
      node: process.version,
      sharp_concurrency: sharp.concurrency(),
    })
    const photoUpload = (i: number): Upload => ({
      caseId: caseIds[i % caseIds.length]!,
      file: photo,
      type: 'damage_photo',
      contentType: 'image/jpeg',
    })
    // Warm-up with a small PDF (the route's code, the pool's connections), so the big upload's RSS is measured on a
    // warm server that has not decoded photos yet (whose native memory it could reuse).
    const small = path.join(dataDir, 'small.pdf')
    await pdfOf(1_000_000, small)
    const smallPdf = { caseId: caseIds[1]!, file: small, type: 'shipment_manifest', contentType: 'application/pdf' }
    await upload({ base, token, uploads: [smallPdf, smallPdf] })

    // The big upload first, on the warm server's baseline: the photos' decoding would leave RSS it has not returned.
    global.gc?.()
    const bigRss = watchRss()
    const one = await upload({
      base,
      token,
      uploads: [{ caseId: caseIds[0]!, file: big, type: 'shipment_manifest', contentType: 'application/pdf' }],
    })
    const bigMemory = bigRss.stop()
    print({ bench: 'evidence', phase: 'big', ...one, ...bigMemory })

    // Made only now: decoding noise into a JPEG takes memory the big upload's measure must not reuse.
    const photoBytes = await photoOf(5 * 1000 * 1000, photo)
    // Warm-up of the photo path: sharp's thread pool.
    await upload({ base, token, uploads: [0, 1, 2, 3].map(photoUpload) })
    await new Promise((r) => setTimeout(r, 1000))
    global.gc?.()
    const photosRss = watchRss()
    const photos = await upload({ base, token, uploads: Array.from({ length: concurrency }, (_, i) => photoUpload(i)) })
    const photosMemory = photosRss.stop()
    print({ bench: 'evidence', phase: 'photos', photo_bytes: photoBytes, ...photos, ...photosMemory })

    const stored = await ctx.db
      .selectFrom('evidence_items')
      .select(['sha256', 'size_bytes'])
      .where('content_type', '=', 'application/pdf')
      .where('size_bytes', '=', bigBytes)
      .executeTakeFirst()
    const expected = await sha256Of(big)
    print({
      bench: 'evidence',
      summary: true,
      photo_uploads: concurrency,
      photo_mb: Number((photoBytes / 1e6).toFixed(2)),
      uploads_per_sec: photos.uploads_per_sec,
      p50_ms: photos.p50_ms,
      p99_ms: photos.p99_ms,
      photo_non_2xx: concurrency - (photos.statuses['201'] ?? 0),
      photos_peak_rss_growth_mb: photosMemory.peak_rss_growth_mb,
      big_mb: bigMb,
      big_upload_ms: one.max_ms,
      big_status: Object.keys(one.statuses)[0] ?? 'error',
      big_sha256_matches: stored?.sha256 === expected && Number(stored?.size_bytes) === bigBytes,
      big_peak_rss_growth_mb: bigMemory.peak_rss_growth_mb,
      floor_big_rss_growth_mb: 64,
    })
    await app.close()
  } finally {
    await runtime.close()
    rmSync(path.resolve(dataDir), { recursive: true, force: true })
  }
}
