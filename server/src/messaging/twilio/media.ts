import { Readable } from 'node:stream'
import { AppError } from '../../errors.js'
import type { BlobStore } from '../../files/blob-store.js'
import { refusal } from '../inbound/attachments.js'
import type { NewAttachment } from '../types.js'
import { param } from './params.js'
import type { TwilioParams } from './signature.js'

// An inbound message's media (MMS pictures, WhatsApp images): NumMedia, MediaUrl{i} and MediaContentType{i}
// (twilio.com/docs/messaging/guides/webhook-request), fetched from Twilio's API with the account's Basic auth and
// stored in the file store as the message's attachments.

export const defaultTwilioApiBase = 'https://api.twilio.com'
const maxMedia = 10 // Twilio's documented maximum of media per message
const maxRedirects = 3
const fetchTimeoutMs = 30_000

/** A failure worth trying again later (the inbox retries the delivery with backoff): the network, 5xx, 429. */

export type TwilioAccount = { accountSid: string; authToken: string; apiBase: string }

type Fetched = { content: Buffer } | { refused: string }

async function readCapped(res: Response, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBytes) {
    await res.body?.cancel()
    return null
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body ?? []) {
    size += chunk.length
    if (size > maxBytes) {
      await res.body?.cancel()
      return null
    }
    chunks.push(Buffer.from(chunk))
  }
  return Buffer.concat(chunks)
}

/**
 * One media file. Credentials go only to the account's API origin (settings.api_base, Twilio's by default): a
 * MediaUrl elsewhere is not fetched, and a redirect (Twilio's to its media storage) is followed without them.
 */
async function fetchMedia(url: string, account: TwilioAccount, maxBytes: number): Promise<Fetched> {
  const apiOrigin = new URL(account.apiBase).origin
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return { refused: 'not_received: the media URL does not parse' }
  }
  if (target.origin !== apiOrigin) return { refused: `not_received: media outside ${apiOrigin} is not fetched` }
  const basic = `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`
  for (let hop = 0; hop <= maxRedirects; hop++) {
    let res: Response
    try {
      res = await fetch(target, {
        redirect: 'manual',
        headers: target.origin === apiOrigin ? { authorization: basic } : {},
        signal: AbortSignal.timeout(fetchTimeoutMs),
      })
    } catch (err) {
      throw new AppError('media_unavailable', `Twilio media could not be fetched: ${(err as Error).message}`)
    }
    const location = res.headers.get('location')
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel()
      target = new URL(location, target)
      if (target.protocol !== 'https:' && target.origin !== apiOrigin)
        return { refused: 'not_received: insecure redirect' }
      continue
    }
    if (res.status >= 500 || res.status === 429 || res.status === 408) {
      await res.body?.cancel()
      throw new AppError('media_unavailable', `Twilio media answered HTTP ${res.status}`)
    }
    if (!res.ok) {
      await res.body?.cancel()
      return { refused: `not_received: HTTP ${res.status}` }
    }
    const content = await readCapped(res, maxBytes)
    return content ? { content } : { refused: `too_large: over ${maxBytes} bytes` }
  }
  return { refused: 'not_received: too many redirects' }
}

const extensions: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'application/pdf': 'pdf',
}

/**
 * Fetches and stores each media item; one that cannot be had (gone, too large, refused) is kept by name and reason.
 * The stored type is what the bytes are (magic numbers, as the file store decides), not what the sender declared.
 */
export async function storeTwilioMedia(
  blobs: BlobStore,
  merchantId: string,
  params: TwilioParams,
  account: TwilioAccount | null,
  maxBytes: number,
): Promise<NewAttachment[]> {
  const count = Math.min(Number.parseInt(param(params, 'NumMedia') || '0', 10) || 0, maxMedia)
  const out: NewAttachment[] = []
  for (let i = 0; i < count; i++) {
    const url = param(params, `MediaUrl${i}`)
    const declared = (param(params, `MediaContentType${i}`) || 'application/octet-stream').slice(0, 255)
    const fileName = `media-${i + 1}.${extensions[declared] ?? 'bin'}`
    const fetched: Fetched = !url
      ? { refused: 'not_received: no media URL' }
      : account
        ? await fetchMedia(url, account, maxBytes)
        : { refused: 'not_received: the connection has no auth token' }
    const attachment = {
      fileName,
      contentType: declared,
      sizeBytes: 'content' in fetched ? fetched.content.length : 0,
      content: 'content' in fetched ? fetched.content : null,
    }
    const refused = 'refused' in fetched ? fetched.refused : refusal(attachment, maxBytes)
    if (refused) {
      out.push({
        fileName,
        contentType: declared,
        sizeBytes: attachment.sizeBytes,
        blobKey: null,
        refusedReason: refused,
      })
      continue
    }
    const stored = await blobs.put(Readable.from([attachment.content!]), { merchantId, maxBytes })
    out.push({ fileName, contentType: stored.contentType, sizeBytes: attachment.sizeBytes, blobKey: stored.key })
  }
  return out
}
