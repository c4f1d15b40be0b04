import { createHash, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

// Just enough of the S3 REST protocol, path-style, for the AWS SDK's PutObject, GetObject,
// HeadObject, DeleteObject, ListObjectsV2 and lib-storage's multipart calls. Shapes and statuses follow the
// Amazon S3 API Reference (https://docs.aws.amazon.com/AmazonS3/latest/API/):
//   API_PutObject.html, API_GetObject.html, API_HeadObject.html, API_DeleteObject.html,
//   API_CreateMultipartUpload.html, API_UploadPart.html, API_CompleteMultipartUpload.html,
//   API_AbortMultipartUpload.html, API_ListObjectsV2.html, and ErrorResponses.html for the <Error> document;
// the 5 MiB minimum part size is from the user guide's "Amazon S3 multipart upload limits".
// Request signatures are not verified, but every request must carry a SigV4 Authorization for
// the expected access key, and a hex x-amz-content-sha256 must match the body.

export type FakeObject = { body: Buffer; contentType: string; etag: string; lastModified: Date }
type PendingUpload = { key: string; contentType: string; parts: Map<number, { body: Buffer; etag: string }> }

const minPartBytes = 5 * 1024 * 1024
const xmlns = 'http://s3.amazonaws.com/doc/2006-03-01/'

export class FakeS3 {
  readonly objects = new Map<string, FakeObject>()
  readonly uploads = new Map<string, PendingUpload>()
  /** Operation names in the order they were served. */
  readonly operations: string[] = []
  #lostReplies = new Set<string>()
  #server: Server = createServer((req, res) => {
    this.handle(req, res).catch((err: Error) => this.fail(res, 500, 'InternalError', err.message))
  })

  private constructor(
    readonly bucket: string,
    private readonly accessKeyId: string,
  ) {}

  static async start(bucket: string, accessKeyId: string): Promise<FakeS3> {
    const fake = new FakeS3(bucket, accessKeyId)
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve))
    return fake
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  /** The next time `operation` is served, apply it but answer 500, as when a reply is lost. */
  loseReplyOnce(operation: string): void {
    this.#lostReplies.add(operation)
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections()
    await new Promise<void>((resolve, reject) => this.#server.close((err) => (err ? reject(err) : resolve())))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake')
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/').map(decodeURIComponent)
    const key = rest.join('/')
    const q = url.searchParams
    const method = req.method ?? 'GET'
    const operation =
      method === 'POST' && q.has('uploads')
        ? 'CreateMultipartUpload'
        : method === 'PUT' && q.has('uploadId')
          ? 'UploadPart'
          : method === 'POST' && q.has('uploadId')
            ? 'CompleteMultipartUpload'
            : method === 'DELETE' && q.has('uploadId')
              ? 'AbortMultipartUpload'
              : method === 'GET' && !key && q.get('list-type') === '2'
                ? 'ListObjectsV2'
                : method === 'PUT'
                  ? 'PutObject'
                  : method === 'GET'
                    ? 'GetObject'
                    : method === 'HEAD'
                      ? 'HeadObject'
                      : method === 'DELETE'
                        ? 'DeleteObject'
                        : `${method} (unsupported)`
    this.operations.push(operation)

    const auth = req.headers.authorization ?? ''
    if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${this.accessKeyId}/`))
      return this.fail(res, 403, 'AccessDenied', 'Missing or foreign credentials')
    if (bucket !== this.bucket)
      return this.fail(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', `/${bucket}`)
    if (!key && operation !== 'ListObjectsV2')
      return this.fail(res, 501, 'NotImplemented', 'Bucket-level operations are not faked')
    if (/aws-chunked/.test(req.headers['content-encoding'] ?? ''))
      return this.fail(res, 501, 'NotImplemented', 'aws-chunked bodies are not faked')
    const body = await readBody(req)
    const declared = req.headers['x-amz-content-sha256']
    if (typeof declared === 'string' && /^[0-9a-f]{64}$/.test(declared) && declared !== sha256(body)) {
      return this.fail(
        res,
        400,
        'XAmzContentSHA256Mismatch',
        'The provided x-amz-content-sha256 does not match the body',
      )
    }

    const replyLost = this.#lostReplies.delete(operation)
    const reply = (status: number, headers: Record<string, string> = {}, xml?: string) => {
      if (replyLost) return this.fail(res, 500, 'InternalError', 'We encountered an internal error. Please try again.')
      res.writeHead(status, {
        'x-amz-request-id': randomUUID(),
        ...(xml ? { 'content-type': 'application/xml' } : {}),
        ...headers,
      })
      res.end(xml ? `<?xml version="1.0" encoding="UTF-8"?>\n${xml}` : undefined)
    }
    const contentType = req.headers['content-type'] ?? 'binary/octet-stream'

    switch (operation) {
      case 'PutObject': {
        const etag = `"${md5(body)}"`
        this.objects.set(key, { body, contentType, etag, lastModified: new Date() })
        return reply(200, { etag })
      }
      case 'CreateMultipartUpload': {
        const uploadId = randomUUID()
        this.uploads.set(uploadId, { key, contentType, parts: new Map() })
        return reply(
          200,
          {},
          `<InitiateMultipartUploadResult xmlns="${xmlns}"><Bucket>${bucket}</Bucket><Key>${esc(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
        )
      }
      case 'UploadPart': {
        const upload = this.uploads.get(q.get('uploadId') ?? '')
        if (!upload || upload.key !== key) return this.noSuchUpload(res)
        const partNumber = Number(q.get('partNumber'))
        if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000)
          return this.fail(res, 400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000')
        const etag = `"${md5(body)}"`
        upload.parts.set(partNumber, { body, etag })
        return reply(200, { etag })
      }
      case 'CompleteMultipartUpload': {
        const uploadId = q.get('uploadId') ?? ''
        const upload = this.uploads.get(uploadId)
        if (!upload || upload.key !== key) return this.noSuchUpload(res)
        const listed = [...body.toString('utf8').matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(([, part]) => ({
          partNumber: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(part!)?.[1]),
          etag: unescapeXml(/<ETag>([\s\S]*?)<\/ETag>/.exec(part!)?.[1] ?? ''),
        }))
        if (listed.length === 0) return this.fail(res, 400, 'MalformedXML', 'The XML you provided was not well-formed')
        const chosen: Buffer[] = []
        for (const [i, { partNumber, etag }] of listed.entries()) {
          const part = upload.parts.get(partNumber)
          if (!part || part.etag !== etag)
            return this.fail(res, 400, 'InvalidPart', 'One or more of the specified parts could not be found')
          if (i > 0 && partNumber <= listed[i - 1]!.partNumber)
            return this.fail(res, 400, 'InvalidPartOrder', 'The list of parts was not in ascending order')
          if (i < listed.length - 1 && part.body.length < minPartBytes)
            return this.fail(
              res,
              400,
              'EntityTooSmall',
              'Your proposed upload is smaller than the minimum allowed object size',
            )
          chosen.push(part.body)
        }
        const etag = `"${md5(Buffer.concat(listed.map((p) => Buffer.from(upload.parts.get(p.partNumber)!.etag.slice(1, -1), 'hex'))))}-${listed.length}"`
        this.uploads.delete(uploadId)
        this.objects.set(key, {
          body: Buffer.concat(chosen),
          contentType: upload.contentType,
          etag,
          lastModified: new Date(),
        })
        return reply(
          200,
          {},
          `<CompleteMultipartUploadResult xmlns="${xmlns}"><Location>${this.endpoint}/${bucket}/${esc(key)}</Location><Bucket>${bucket}</Bucket><Key>${esc(key)}</Key><ETag>${esc(etag)}</ETag></CompleteMultipartUploadResult>`,
        )
      }
      case 'AbortMultipartUpload': {
        const uploadId = q.get('uploadId') ?? ''
        if (!this.uploads.has(uploadId)) return this.noSuchUpload(res)
        this.uploads.delete(uploadId)
        return reply(204)
      }
      case 'GetObject':
      case 'HeadObject': {
        const object = this.objects.get(key)
        if (!object) {
          if (operation === 'HeadObject') return void res.writeHead(404).end()
          return this.fail(res, 404, 'NoSuchKey', 'The specified key does not exist.', `/${bucket}/${key}`)
        }
        const headers = {
          'content-type': object.contentType,
          'content-length': String(object.body.length),
          etag: object.etag,
          'last-modified': object.lastModified.toUTCString(),
        }
        if (operation === 'HeadObject') return reply(200, headers)
        res.writeHead(200, headers)
        return void res.end(object.body)
      }
      case 'ListObjectsV2': {
        // Keys in UTF-8 binary order; the continuation token is opaque to clients (here: the last key sent).
        const prefix = q.get('prefix') ?? ''
        const maxKeys = Math.min(Number(q.get('max-keys') ?? 1000), 1000)
        const after = q.get('continuation-token') ?? q.get('start-after') ?? ''
        const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort()
        const page = keys.slice(0, maxKeys)
        const truncated = keys.length > page.length
        const contents = page
          .map((k) => {
            const o = this.objects.get(k)!
            return `<Contents><Key>${esc(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${esc(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`
          })
          .join('')
        return reply(
          200,
          {},
          `<ListBucketResult xmlns="${xmlns}"><Name>${bucket}</Name><Prefix>${esc(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${truncated ? `<NextContinuationToken>${esc(page.at(-1)!)}</NextContinuationToken>` : ''}</ListBucketResult>`,
        )
      }
      case 'DeleteObject':
        this.objects.delete(key) // S3 answers 204 whether or not the key existed
        return reply(204)
      default:
        return this.fail(res, 501, 'NotImplemented', `${operation} is not faked`)
    }
  }

  private noSuchUpload(res: ServerResponse): void {
    this.fail(res, 404, 'NoSuchUpload', 'The specified multipart upload does not exist.')
  }

  private fail(res: ServerResponse, status: number, code: string, message: string, resource = ''): void {
    res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': randomUUID() })
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${esc(message)}</Message><Resource>${esc(resource)}</Resource><RequestId>fake</RequestId></Error>`,
    )
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex')
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const unescapeXml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
