import type { Kysely, Transaction } from 'kysely'
import { systemContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { linkedCase } from '../../portal/service.js'
import type { Message } from '../types.js'
import { countPortalMessagesSince, listPublicMessages } from './conversation.js'
import { recordMessage } from './record-message.js'

type Db = Kysely<Database> | Transaction<Database>

// A link's holder may write this many messages an hour on the case: enough for a conversation, not for a flood.
export const portalMessagesPerHour = 20

const toPortalMessage = (m: Message) => ({
  id: m.id,
  from: m.direction === 'in' ? ('you' as const) : ('us' as const),
  subject: m.subject,
  text: m.reply_text,
  quoted_text: m.quoted_text,
  at: m.created_at,
  redacted_at: m.redacted_at,
  attachments: m.attachments.filter((a) => a.stored).map((a) => ({ file_name: a.file_name, size_bytes: a.size_bytes })),
})

/** The public conversation of the link's case, in the customer's words: no side conversations, no notes. */
export async function portalConversation(db: Db, secret: Buffer, token: string, now: Date) {
  const { merchantId, detail } = await linkedCase(db, secret, token, now)
  return { data: (await listPublicMessages(db, merchantId, detail.id)).map(toPortalMessage) }
}

/** The customer answers from the status page: an inbound message on the case, channel portal. */
export async function portalReply(
  trx: Transaction<Database>,
  secret: Buffer,
  token: string,
  input: { text: string; requestId: string },
  now: Date,
) {
  const { merchantId, detail } = await linkedCase(trx, secret, token, now)
  const recent = await countPortalMessagesSince(trx, merchantId, detail.id, new Date(now.getTime() - 3_600_000))
  if (recent >= portalMessagesPerHour)
    throw new AppError('too_many_requests', 'Too many messages from this link: try again later', {
      limit: portalMessagesPerHour,
      window_seconds: 3600,
    })
  const ctx = { ...systemContext(merchantId, 'portal'), requestId: input.requestId }
  const message = await recordMessage(
    trx,
    ctx,
    {
      caseId: detail.id,
      direction: 'in',
      channel: 'portal',
      visibility: 'public',
      status: 'received',
      authorType: 'customer',
      authorId: detail.customer_id,
      from: { address: '' },
      to: [],
      cc: [],
      subject: `Re: ${detail.subject}`.slice(0, 998),
      text: input.text,
    },
    now,
  )
  return toPortalMessage(message)
}
