import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3'
import { mkdir, open, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Config, S3Config } from '../config.js'
import { createS3Client } from '../files/s3-store.js'
import type { CheckpointRow } from './store.js'
import { toSignedCheckpoint, type SignedCheckpoint } from './types.js'

/**
 * Signed checkpoints kept outside the database, so that someone holding the database alone (who can
 * rewrite a tail, recompute its hashes and delete the checkpoints they cannot re-sign) is still caught.
 */
export type CheckpointArchive = {
  append(checkpoint: CheckpointRow): Promise<void>
  /** The merchant's checkpoints in seq order; lines that do not parse (a write torn by a crash) are skipped. */
  list(merchantId: string): Promise<CheckpointRow[]>
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const assertMerchantId = (merchantId: string) => {
  if (!uuid.test(merchantId)) throw new Error(`not a merchant id: ${merchantId}`)
  return merchantId
}

/** Where files go, checkpoints go: the S3 bucket when one is configured, otherwise DATA_DIR. */
export function checkpointArchive(config: Pick<Config, 'dataDir' | 's3'>): CheckpointArchive {
  return config.s3 ? s3Archive(config.s3) : fileArchive(config.dataDir)
}

/** One append-only JSON-lines file per merchant: `DATA_DIR/audit-checkpoints/<merchant id>.jsonl`. */
function fileArchive(dataDir: string): CheckpointArchive {
  const dir = path.join(dataDir, 'audit-checkpoints')
  const fileOf = (merchantId: string) => path.join(dir, `${assertMerchantId(merchantId)}.jsonl`)
  return {
    async append(checkpoint) {
      await mkdir(dir, { recursive: true, mode: 0o700 })
      // O_APPEND: concurrent writers never overwrite each other's lines; synced before the database row is written.
      const file = await open(fileOf(checkpoint.merchant_id), 'a', 0o600)
      try {
        await file.appendFile(`${JSON.stringify(toSignedCheckpoint(checkpoint))}\n`)
        await file.sync()
      } finally {
        await file.close()
      }
    },
    async list(merchantId) {
      let text: string
      try {
        text = await readFile(fileOf(merchantId), 'utf8')
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
        throw err
      }
      return text
        .split('\n')
        .flatMap((line) => {
          const row = parseLine(line, merchantId)
          return row ? [row] : []
        })
        .sort((a, b) => a.seq - b.seq)
    },
  }
}

/**
 * S3 has no append: one object per checkpoint, `audit-checkpoints/<merchant id>/<seq, 16 digits>-<signed at, ms>.json`,
 * so a listing comes back in seq order. A bucket with versioning or Object Lock keeps them from being overwritten.
 */
function s3Archive(config: S3Config): CheckpointArchive {
  const client = createS3Client(config)
  const prefixOf = (merchantId: string) => `audit-checkpoints/${assertMerchantId(merchantId)}/`
  return {
    async append(checkpoint) {
      const key = `${prefixOf(checkpoint.merchant_id)}${String(checkpoint.seq).padStart(16, '0')}-${checkpoint.signed_at.getTime()}.json`
      const body = JSON.stringify(toSignedCheckpoint(checkpoint))
      await client.send(
        new PutObjectCommand({ Bucket: config.bucket, Key: key, Body: body, ContentType: 'application/json' }),
      )
    },
    async list(merchantId) {
      const rows: CheckpointRow[] = []
      let token: string | undefined
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: config.bucket, Prefix: prefixOf(merchantId), ContinuationToken: token }),
        )
        const bodies = await Promise.all(
          (page.Contents ?? []).map(async ({ Key }) => {
            const object = await client.send(new GetObjectCommand({ Bucket: config.bucket, Key }))
            return object.Body?.transformToString('utf8') ?? ''
          }),
        )
        for (const body of bodies) {
          const row = parseLine(body, merchantId)
          if (row) rows.push(row)
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (token)
      return rows.sort((a, b) => a.seq - b.seq)
    },
  }
}

function parseLine(line: string, merchantId: string): CheckpointRow | undefined {
  let cp: SignedCheckpoint
  try {
    cp = JSON.parse(line) as SignedCheckpoint
  } catch {
    return undefined
  }
  if (
    cp?.merchant_id !== merchantId ||
    !Number.isSafeInteger(cp.seq) ||
    typeof cp.head_hash !== 'string' ||
    typeof cp.signature !== 'string' ||
    typeof cp.key_id !== 'string' ||
    Number.isNaN(Date.parse(String(cp.signed_at)))
  )
    return undefined
  return {
    merchant_id: cp.merchant_id,
    seq: cp.seq,
    head_hash: Buffer.from(cp.head_hash, 'hex'),
    signed_at: new Date(cp.signed_at),
    key_id: cp.key_id,
    signature: Buffer.from(cp.signature, 'base64'),
  }
}
