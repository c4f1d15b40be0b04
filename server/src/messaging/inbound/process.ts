import type { Transaction } from 'kysely'
import { type ServiceContext, systemContext } from '../../auth/actor.js'
import { findCaseOrThrow, listCases, openCase, recordCaseActivity, survivingCaseId } from '../../cases/service.js'
import { unresolvedStatuses } from '../../cases/types.js'
import type { AppContext } from '../../context.js'
import { upsertCustomer } from '../../customers/service.js'
import type { Database } from '../../db/schema.js'
import type { InboxDelivery } from '../../integrations/providers.js'
import { listOrders } from '../../orders/service.js'
import { listShipments } from '../../shipments/service.js'
import { parseReplyAddress, parseSideReplyAddress, verifyReply, verifySideReply } from '../email/reply-address.js'
import { findThreadForMessageHeader, recordMessage } from '../service.js'
import { receiveSideReply } from '../side/service.js'
import { findSideConversation } from '../side/store.js'
import { findMessageByHeader } from '../store.js'
import { storeAttachments, storeRaw } from './attachments.js'
import { foldedParts } from './fold.js'
import { type DeliveryReport, parseDeliveryReport, rateLimitPerHour, robotReason } from './robots.js'
import * as store from './store.js'
import type { InboundEmail } from './types.js'

type Trx = Transaction<Database>

/** The case a reply address among the recipients names, when its token is this workspace's for that case. */
export function caseFromReplyAddress(keys: { links: Buffer }, merchantId: string, recipients: string[]): string | null {
  for (const r of recipients) {
    const parsed = parseReplyAddress(r, r.slice(r.lastIndexOf('@') + 1))
    if (parsed && verifyReply(keys.links, merchantId, parsed.caseId, parsed.token)) return parsed.caseId
  }
  return null
}

/** The side conversation a side reply address among the recipients names, when its token is this workspace's. */
function sideFromReplyAddress(keys: { links: Buffer }, merchantId: string, recipients: string[]): string | null {
  for (const r of recipients) {
    const parsed = parseSideReplyAddress(r, r.slice(r.lastIndexOf('@') + 1))
    if (parsed && verifySideReply(keys.links, merchantId, parsed.sideConversationId, parsed.token))
      return parsed.sideConversationId
  }
  return null
}

const orderMentioned = (text: string, number: string | null): boolean => {
  if (!number) return false
  const digits = number.replace(/^#/, '')
  if (digits.length < 3) return false
  return new RegExp(`(^|[^A-Za-z0-9])#?${digits.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9])`, 'i').test(
    text,
  )
}

/**
 * The customer's order (or shipment, by tracking number) the email mentions, and that order's open case:
 * only the sender's own orders are considered, so naming someone else's order number threads nothing.
 */
async function caseForMentionedOrder(
  trx: Trx,
  merchantId: string,
  customerId: string,
  text: string,
  now: Date,
): Promise<{ caseId: string | null; orderId: string | null; shipmentId: string | null }> {
  const orders = await listOrders(trx, merchantId, { customerId, limit: 100 })
  let order = orders.find((o) => orderMentioned(text, o.order_number))
  let shipmentId: string | null = null
  if (!order && orders.length) {
    const shipments = await listShipments(trx, merchantId, { orderIds: orders.map((o) => o.id), limit: 200 })
    const shipment = shipments.find(
      (s) => s.tracking_number && s.tracking_number.length >= 6 && text.includes(s.tracking_number),
    )
    if (shipment) {
      shipmentId = shipment.id
      order = orders.find((o) => o.id === shipment.order_id)
    }
  }
  if (!order) return { caseId: null, orderId: null, shipmentId: null }
  const open = await listCases(
    trx,
    merchantId,
    { orderId: order.id, statuses: unresolvedStatuses },
    { sort: 'updated_desc', limit: 1 },
    now,
  )
  return { caseId: open.data[0]?.id ?? null, orderId: order.id, shipmentId }
}

type Threaded = {
  caseId: string
  customerId: string | null
  newCase: boolean
  how: string
  /** A third party's answer on a side conversation: recorded there, never in the customer's conversation */
  sideConversationId?: string
}

async function thread(
  trx: Trx,
  app: AppContext,
  ctx: ServiceContext,
  email: InboundEmail,
  robot: string | null,
  lastCaseFromSender: string | null,
  now: Date,
): Promise<Threaded> {
  const { merchantId } = ctx
  const sideId = sideFromReplyAddress(app.keys, merchantId, email.recipients)
  const side = sideId ? await findSideConversation(trx, merchantId, sideId) : undefined
  if (side)
    return {
      caseId: side.case_id,
      customerId: null,
      newCase: false,
      how: 'side_reply_address',
      sideConversationId: side.id,
    }
  const ids = [email.inReplyTo, ...email.references].filter((x): x is string => !!x)
  const byHeader = ids.length ? await findThreadForMessageHeader(trx, merchantId, ids) : null
  // An answer to a side message stays in its side conversation, whichever address it came to (a case's reply
  // address on side mail sent before side conversations had their own). The newest message referenced decides:
  // a customer's answer to our reply names our reply, newer than anything it quotes.
  if (byHeader?.sideConversationId)
    return {
      ...byHeader,
      sideConversationId: byHeader.sideConversationId,
      customerId: null,
      newCase: false,
      how: 'side_message_header',
    }
  const byToken = caseFromReplyAddress(app.keys, merchantId, email.recipients)
  if (byToken) return { caseId: byToken, customerId: null, newCase: false, how: 'reply_address' }
  if (byHeader) return { caseId: byHeader.caseId, customerId: null, newCase: false, how: 'message_header' }
  // A loop keeps landing on the case it already reached, instead of opening one per message.
  if (robot === 'rate_limited' && lastCaseFromSender)
    return { caseId: lastCaseFromSender, customerId: null, newCase: false, how: 'sender_recent' }
  // Robots (bounces, auto-replies, lists) make no customers.
  const customer =
    !robot && email.from && email.from.address.length <= 320
      ? (
          await upsertCustomer(
            trx,
            ctx,
            { source: 'email', email: email.from.address, name: email.from.name ?? null },
            now,
          )
        ).customer
      : null
  let orderId: string | null = null
  let shipmentId: string | null = null
  if (customer) {
    const found = await caseForMentionedOrder(trx, merchantId, customer.id, `${email.subject}\n${email.text}`, now)
    if (found.caseId) return { caseId: found.caseId, customerId: customer.id, newCase: false, how: 'order' }
    orderId = found.orderId
    shipmentId = found.shipmentId
  }
  const opened = await openCase(
    trx,
    ctx,
    {
      caseType: 'other',
      subject: email.subject.slice(0, 200) || '(no subject)',
      channel: 'email',
      source: 'email',
      customerId: customer?.id ?? null,
      orderId,
      shipmentId,
    },
    now,
  )
  return { caseId: opened.id, customerId: customer?.id ?? null, newCase: true, how: 'new_case' }
}

/**
 * A delivery report about one of our messages: that message and its recipients bounced, the case flagged. The
 * report lands where the message was: a side email's in its side conversation (it quotes the email).
 */
async function recordBounce(
  trx: Trx,
  ctx: ServiceContext,
  report: DeliveryReport,
  now: Date,
): Promise<{ caseId: string; sideConversationId?: string } | null> {
  if (!report.originalMessageId || !report.recipients.length) return null
  const original = await findMessageByHeader(trx, ctx.merchantId, report.originalMessageId)
  if (original?.direction !== 'out') return null
  const failed = report.recipients.map((r) => ({ address: r.address, reason: `${r.status} ${r.diagnostic}`.trim() }))
  await store.markBounced(trx, ctx.merchantId, original.id, failed, now)
  // A case merged since: the flag goes on the case it lives on now.
  const caseId = (await survivingCaseId(trx, ctx.merchantId, original.case_id)) ?? original.case_id
  const kase = await findCaseOrThrow(trx, ctx.merchantId, caseId)
  await recordCaseActivity(
    trx,
    ctx,
    kase.id,
    {
      action: 'message.bounced',
      // A report, not someone working the case: a new case stays new.
      acts: false,
      patch: kase.tags.includes('bounced') ? undefined : { tags: [...kase.tags, 'bounced'] },
      events: failed.map((f) => ({
        type: 'message.bounced' as const,
        subjectId: original.id,
        data: {
          message_id: original.id,
          case_id: original.case_id,
          channel: original.channel,
          visibility: original.visibility,
          recipient: f.address,
          reason: f.reason,
        },
      })),
    },
    now,
  )
  return {
    caseId: kase.id,
    ...(original.side_conversation_id ? { sideConversationId: original.side_conversation_id } : {}),
  }
}

/**
 * Records one inbound email on its case: threading (reply address, then In-Reply-To/References, then the
 * sender's open case for an order they mention, else a new case), robots and loops (recorded, never answered
 * automatically), bounces (the original marked bounced). Idempotent per delivery: a replayed delivery, or an
 * email whose Message-ID is already recorded, changes nothing.
 */
export async function processInboundEmail(
  trx: Trx,
  app: AppContext,
  delivery: InboxDelivery,
  email: InboundEmail,
  now: Date,
): Promise<'processed' | 'ignored'> {
  const merchantId = delivery.merchantId
  const since = new Date(now.getTime() - 3_600_000)
  const { recorded, recent } = await store.findInboundSeen(
    trx,
    merchantId,
    delivery.id,
    email.messageId,
    email.from?.address ?? null,
    since,
  )
  if (recorded) return recorded === 'delivery' ? 'processed' : 'ignored'
  const ctx = systemContext(merchantId, 'email')
  // Our listener's delivery is the raw message (rawInInbox); other ways in, and a message mailparser could not
  // read (kept as an attachment too), store it as a file. The file writes (each synced to disk) overlap the
  // threading queries.
  const rawFile = email.raw && (delivery.provider !== 'smtp' || email.malformed) ? email.raw : null
  const files = Promise.all([
    rawFile ? storeRaw(app.blobs, merchantId, rawFile) : null,
    storeAttachments(app.blobs, merchantId, email.attachments, app.config.filesMaxBytes),
  ])
  files.catch(() => undefined) // awaited below; a threading failure first must not leave it unhandled

  const report = parseDeliveryReport(email)
  const bouncedCase = report ? await recordBounce(trx, ctx, report, now) : null
  const robot = report
    ? 'delivery_status'
    : (robotReason(email) ?? (recent.count >= rateLimitPerHour ? 'rate_limited' : null))

  const threaded: Threaded = bouncedCase
    ? { ...bouncedCase, customerId: null, newCase: false, how: 'delivery_status' }
    : await thread(trx, app, ctx, email, robot, recent.lastCaseId, now)
  const [rawBlobKey, attachments] = await files
  if (email.malformed) {
    attachments.push({
      fileName: 'message.eml',
      contentType: 'message/rfc822',
      sizeBytes: email.raw?.length ?? 0,
      blobKey: rawBlobKey,
      refusedReason: `malformed_mime: ${email.malformed}`.slice(0, 500),
    })
  }
  const received = {
    direction: 'in' as const,
    channel: 'email' as const,
    status: 'received' as const,
    from: email.from ?? { address: email.envelopeFrom ?? '' },
    to: email.to,
    cc: email.cc,
    subject: email.subject,
    text: email.text,
    ...foldedParts(email.text),
    html: email.html,
    messageIdHeader: email.messageId,
    inReplyTo: email.inReplyTo,
    references: email.references,
    provider: delivery.provider,
    providerMessageId: delivery.dedupKey,
    rawBlobKey,
    robotReason: robot,
    inboxDeliveryId: delivery.id,
    attachments,
  }
  if (threaded.sideConversationId) await receiveSideReply(trx, ctx, threaded.sideConversationId, received, now)
  else
    await recordMessage(
      trx,
      ctx,
      {
        ...received,
        caseId: threaded.caseId,
        visibility: 'public',
        authorType: robot ? 'system' : 'customer',
        automatic: robot !== null,
        newCase: threaded.newCase,
      },
      now,
    )
  return 'processed'
}
