import { Readable } from 'node:stream'
import { systemContext } from '../../../auth/actor.js'
import { openCase } from '../../../cases/service.js'
import type { AppContext } from '../../../context.js'
import { newId } from '../../../ids.js'
import { addJob } from '../../../jobs/queue.js'
import type { Address } from '../../tables.js'
import { sendEmailTaskName } from '../send-email.js'

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

/**
 * A message row as the conversation helper's recordMessage writes it, and for an outbound one its send job.
 * TODO(#21): replace with recordMessage once fix/m-core is merged.
 */
export async function recordTestEmail(ctx: AppContext, merchantId: string, email: TestEmail): Promise<string> {
  const id = newId()
  const now = email.createdAt ?? new Date()
  const blobs = await Promise.all(
    (email.attachments ?? []).map((a) =>
      ctx.blobs.put(Readable.from([a.content]), { merchantId, maxBytes: ctx.config.filesMaxBytes }),
    ),
  )
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('messages')
      .values({
        merchant_id: merchantId,
        id,
        case_id: email.caseId,
        direction: email.inbound ? 'in' : 'out',
        channel: 'email',
        status: email.inbound ? 'received' : 'queued',
        author_type: email.inbound ? 'customer' : email.automatic ? 'system' : 'agent',
        automatic: email.automatic ?? false,
        from_address: email.inbound ? (email.to[0]?.address ?? '') : '',
        to_addresses: JSON.stringify(email.to),
        cc_addresses: JSON.stringify(email.cc ?? []),
        subject: email.subject ?? 'About your parcel',
        text_body: email.text ?? 'We are on it.',
        html_body: email.html ?? null,
        message_id_header: email.inbound?.messageId ?? null,
        references_headers: email.inbound?.references ?? [],
        created_at: now,
        updated_at: now,
      })
      .execute()
    for (const [i, a] of (email.attachments ?? []).entries())
      await trx
        .insertInto('message_attachments')
        .values({
          merchant_id: merchantId,
          id: newId(),
          message_id: id,
          file_name: a.fileName,
          content_type: a.contentType,
          size_bytes: a.content.length,
          blob_key: blobs[i]!.key,
          created_at: now,
        })
        .execute()
    if (!email.inbound)
      await addJob(trx, sendEmailTaskName, { merchant_id: merchantId, message_id: id }, { jobKey: `send-email:${id}` })
  })
  return id
}
