import { Readable } from 'node:stream'
import type { BlobStore } from '../../files/blob-store.js'
import type { InboundAttachment } from './types.js'

// Executables and scripts are never stored: a customer's attachment is opened by agents.
const refusedExtensions = new Set(
  'exe com bat cmd scr pif msi msp dll cpl sys drv ocx js jse vbs vbe wsf wsh hta ps1 psm1 lnk reg jar app sh bash csh ksh apk dmg pkg deb rpm iso vhd scf url inf'.split(
    ' ',
  ),
)
const refusedTypes = new Set([
  'application/x-msdownload',
  'application/x-msdos-program',
  'application/x-dosexec',
  'application/x-executable',
  'application/x-sharedlib',
  'application/x-msi',
  'application/x-ms-installer',
  'application/x-sh',
  'application/x-bat',
  'application/java-archive',
  'application/x-apple-diskimage',
  'application/vnd.microsoft.portable-executable',
  'application/hta',
])

/** Why an attachment is refused (kept by name and size only), or null to store it. */
export function refusal(a: InboundAttachment, maxBytes: number): string | null {
  if (a.content === null) return 'not_received'
  if (a.sizeBytes > maxBytes || a.content.length > maxBytes) return `too_large: over ${maxBytes} bytes`
  const ext = a.fileName.toLowerCase().split('.').pop() ?? ''
  if (a.fileName.includes('.') && refusedExtensions.has(ext)) return `refused_type: .${ext} files are not accepted`
  if (refusedTypes.has(a.contentType.toLowerCase())) return `refused_type: ${a.contentType} is not accepted`
  // Whatever the name says: Windows (MZ) and ELF executables, and scripts with a #! line.
  const head = a.content.subarray(0, 4)
  if (head.subarray(0, 2).toString('latin1') === 'MZ' || head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])))
    return 'refused_type: an executable program'
  return null
}

export type StoredAttachment = {
  fileName: string
  contentType: string
  sizeBytes: number
  blobKey: string | null
  contentId?: string
  refusedReason?: string
}

const fileNameOf = (name: string) =>
  [...name]
    .filter((c) => c.charCodeAt(0) >= 0x20)
    .join('')
    .slice(-255) || 'attachment'

/** Stores what may be stored; a refused one is kept by name, size and reason. */
export async function storeAttachments(
  blobs: BlobStore,
  merchantId: string,
  attachments: InboundAttachment[],
  maxBytes: number,
): Promise<StoredAttachment[]> {
  const out: StoredAttachment[] = []
  for (const a of attachments) {
    const base = {
      fileName: fileNameOf(a.fileName),
      contentType: a.contentType.slice(0, 255),
      sizeBytes: a.content?.length ?? a.sizeBytes,
      ...(a.contentId && { contentId: a.contentId.slice(0, 255) }),
    }
    const refused = refusal(a, maxBytes)
    if (refused) {
      out.push({ ...base, blobKey: null, refusedReason: refused })
      continue
    }
    const stored = await blobs.put(Readable.from([a.content!]), { merchantId, maxBytes })
    out.push({ ...base, blobKey: stored.key })
  }
  return out
}

/** The raw message in the file store (no size cap beyond what the listener or the webhook route accepted). */
export async function storeRaw(blobs: BlobStore, merchantId: string, raw: Buffer): Promise<string> {
  return (await blobs.put(Readable.from([raw]), { merchantId, maxBytes: Math.max(raw.length, 1) })).key
}
