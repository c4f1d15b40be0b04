import { Readable } from 'node:stream'
import { systemContext } from '../../../auth/actor.js'
import { openCase } from '../../../cases/service.js'
import type { AppContext } from '../../../context.js'
import type { Address } from '../../tables.js'
import { recordMessage } from '../../service.js'

export async function openTestCase(ctx: AppContext, merchantId: string): Promise<string> {
  const c = await ctx.db
    .transaction()
    .execute((trx) =>
      openCase(trx, systemContext(merchantId), { caseType: 'other', subject: 'Parcel lost' }, new Date()),
    )
  return c.id
}

export type TestEmail = {
  caseId: string
  to: Address[]
  cc?: Address[]
  subject?: string
  text?: string
  html?: string
  automatic?: boolean
  /** An inbound message (the customer's), for threading: stored with this Message-ID. */
  inbound?: { messageId: string; references?: string[] }
  attachments?: { fileName: string; contentType: string; content: Buffer }[]
  createdAt?: Date
}

/** A message recorded on its case as the composer and the email listener record them; an outbound one is queued. */
export async function recordTestEmail(ctx: AppContext, merchantId: string, email: TestEmail): Promise<string> {
  const now = email.createdAt ?? new Date()
  const attachments = await Promise.all(
    (email.attachments ?? []).map(async (a) => {
      const blob = await ctx.blobs.put(Readable.from([a.content]), { merchantId, maxBytes: ctx.config.filesMaxBytes })
      return { fileName: a.fileName, contentType: a.contentType, sizeBytes: a.content.length, blobKey: blob.key }
    }),
  )
  const inbound = email.inbound
  const message = await ctx.db.transaction().execute((trx) =>
    recordMessage(
      trx,
      systemContext(merchantId),
      {
        caseId: email.caseId,
        direction: inbound ? 'in' : 'out',
        channel: 'email',
        visibility: 'public',
        status: inbound ? 'received' : 'queued',
        authorType: inbound ? 'customer' : email.automatic ? 'system' : 'agent',
        automatic: email.automatic ?? false,
        // An outbound email with no sender of its own: the send drain takes the workspace's.
        from: inbound ? email.to[0]! : { address: '' },
        to: email.to,
        cc: email.cc ?? [],
        subject: email.subject ?? 'About your parcel',
        text: email.text ?? 'We are on it.',
        html: email.html ?? null,
        messageIdHeader: inbound?.messageId,
        messageIdDomain: ctx.config.email.inboundDomain,
        references: inbound?.references,
        attachments,
      },
      now,
    ),
  )
  return message.id
}
