import type { Transaction, Updateable } from 'kysely'
import { type ServiceContext, systemContext } from '../../auth/actor.js'
import {
  listCaseIdsOfCustomer,
  listTimelineEntriesOfType,
  redactNotifications,
  redactTimelineEntries,
  type TimelineRewrite,
} from '../../cases/service.js'
import { recordAuditFor } from '../../changes.js'
import type { AppContext } from '../../context.js'
import { findErasedAt } from '../../customers/service.js'
import type { Database } from '../../db/schema.js'
import { eraseDeliveryBodies } from '../../intake/service.js'
import { consumer } from '../../modules.js'
import * as sideStore from '../side/store.js'
import * as messageStore from '../store.js'
import type { MessageRow } from '../store.js'
import type { Address } from '../tables.js'
import * as store from './store.js'

type Trx = Transaction<Database>

export const redactedText = '[redacted]'
export const redactedAddress = 'redacted@invalid'
// Several addresses of one message stay several (a recipient's row is keyed by its address).
const placeholder = (i: number) => (i === 0 ? redactedAddress : `redacted-${i + 1}@invalid`)
const notSentReason = "customer_erased: the customer's data was erased before it was sent"
// Cases per transaction: a customer with hundreds of cases is erased in steps, each whole.
const casesPerBatch = 25

type Scope = 'content' | 'addresses'
type Work = { row: MessageRow; scope: Scope }
type Scrub = <T extends string | null>(text: T) => T

/**
 * A customer's erasure reaching their messages (GDPR; Shopify's customers/redact): on their cases, every message of
 * their conversation (public: what they wrote, and what was sent to them) loses its personal content to a marker,
 * its addresses to placeholders, its raw copies (the stored .eml, its file, the inbox delivery it came in) and its
 * files, and is marked redacted (a WhatsApp template's rendered variables with it); its timeline entry and the
 * notification quoting it are rewritten, so search no longer finds their words. Side conversations (a carrier, a
 * warehouse) keep their text and lose only the customer's addresses and phone numbers (and their .eml, which holds
 * them): as participants, in their subject, messages, timeline entries and notifications. On cases merges joined to
 * theirs, only messages from or to their addresses count. Messages recorded after the erasure are new data and
 * stay. Idempotent: a message reached once is never reached again (redacted_at, or no customer address left in it).
 */
export async function redactCustomerMessages(
  app: AppContext,
  merchantId: string,
  customerId: string,
  now: Date,
): Promise<{ redacted: number; scrubbed: number }> {
  const erasedAt = await findErasedAt(app.db, merchantId, customerId)
  if (!erasedAt) return { redacted: 0, scrubbed: 0 }
  const { own, merged } = await listCaseIdsOfCustomer(app.db, merchantId, customerId)
  const addresses = new Set(await store.findCustomerAddresses(app.db, merchantId, own, erasedAt))
  const ownCases = new Set(own)
  const batches: string[][] = []
  const all = [...own, ...merged]
  for (let i = 0; i < all.length; i += casesPerBatch) batches.push(all.slice(i, i + casesPerBatch))
  const ctx = systemContext(merchantId, 'erasure')
  const done = { redacted: 0, scrubbed: 0 }
  // Side conversations first, on every case: the addresses they must lose are read from the customer's own
  // messages, which the second pass erases. A crash between the passes leaves them to be read again.
  for (const scope of ['addresses', 'content'] as const)
    for (const caseIds of batches)
      await app.db.transaction().execute(async (trx) => {
        const rows = await store.lockMessagesOnCases(trx, merchantId, caseIds, erasedAt)
        const work = rows
          .map((row) => ({ row, scope: scopeOf(row, ownCases.has(row.case_id), addresses) }))
          .filter((w): w is Work => w.scope === scope)
        await redactMessages(trx, app, ctx, work, addresses, now)
        if (scope === 'addresses') await redactSideConversations(trx, ctx, caseIds, addresses, now)
        done[scope === 'content' ? 'redacted' : 'scrubbed'] += work.length
      })
  return done
}

const lower = (a: string) => a.toLowerCase()

/** What erasure does to a message: its content, only the customer's addresses in it, or nothing. */
function scopeOf(r: MessageRow, ownCase: boolean, customer: Set<string>): Scope | null {
  const mentions = [r.from_address, ...r.to_addresses.map((a) => a.address), ...r.cc_addresses.map((a) => a.address)]
  const theirs = mentions.some((a) => customer.has(lower(a)))
  if (r.visibility === 'side') return theirs || quotesCustomer(r, customer) ? 'addresses' : null
  if (ownCase) return 'content'
  // A case merges joined to theirs: only what they wrote, or what was sent to them.
  const from = customer.has(lower(r.from_address))
  const to = [...r.to_addresses, ...r.cc_addresses].some((a) => customer.has(lower(a.address)))
  return (r.direction === 'in' && from) || (r.direction === 'out' && to) ? 'content' : null
}

/** A side message whose text quotes one of the customer's addresses or numbers (a carrier writing back, say). */
function quotesCustomer(r: MessageRow, customer: Set<string>): boolean {
  const scrub = scrubWith(customerPlaceholders(customer))
  const texts = [r.subject, r.text_body, r.reply_text, r.quoted_text, r.html_body, r.status_reason]
  return [...texts, ...Object.values(r.content_variables ?? {})].some((t) => t !== null && scrub(t) !== t)
}

/**
 * The customer's addresses and numbers, each to its placeholder: what side conversations, which keep their text,
 * lose (one map for the conversation, its messages and its entries, so they keep reading alike).
 */
const customerPlaceholders = (customer: Set<string>) => new Map([...customer].map((a, i) => [a, placeholder(i)]))

/** Each address a message names, lower-case, to its placeholder: every one (content) or the customer's. */
function placeholdersFor(r: MessageRow, scope: Scope, customer: Set<string>, recipients: string[]) {
  if (scope === 'addresses') return customerPlaceholders(customer)
  const map = new Map<string, string>()
  const named = [
    ...(r.direction === 'in' ? [r.from_address] : []),
    ...r.to_addresses.map((a) => a.address),
    ...r.cc_addresses.map((a) => a.address),
    ...recipients,
  ]
  for (const a of named.map(lower)) if (a && !map.has(a)) map.set(a, placeholder(map.size))
  return map
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A text with every mapped address replaced by its placeholder. */
function scrubWith(map: Map<string, string>) {
  // Longest first: a number that begins another is not replaced inside it.
  const keys = [...map.keys()].sort((a, b) => b.length - a.length)
  const pattern = keys.length ? new RegExp(keys.map(escapeRegExp).join('|'), 'gi') : null
  return <T extends string | null>(text: T): T =>
    (pattern && text !== null ? text.replace(pattern, (m) => map.get(lower(m)) ?? redactedAddress) : text) as T
}

async function redactMessages(
  trx: Trx,
  app: AppContext,
  ctx: ServiceContext,
  work: Work[],
  customer: Set<string>,
  now: Date,
): Promise<void> {
  if (!work.length) return
  const { merchantId } = ctx
  const ids = work.map((w) => w.row.id)
  const recipients = await messageStore.listRecipients(trx, merchantId, ids)
  const rewrites: TimelineRewrite[] = []
  // A third party's answer told the assignee in its own words (receiveSideReply): those words, scrubbed.
  const sideAnswers: { key: string; body: string }[] = []
  for (const { row, scope } of work) {
    const own = recipients.filter((r) => r.message_id === row.id)
    const map = placeholdersFor(
      row,
      scope,
      customer,
      own.map((r) => r.address),
    )
    const scrub = scrubWith(map)
    const address = (a: Address): Address => {
      const to = map.get(lower(a.address))
      return to ? { address: to } : a
    }
    const patch = scope === 'content' ? contentPatch(row, scrub, now) : addressPatch(row, scrub)
    const fromChanged = map.has(lower(row.from_address))
    await messageStore.updateMessage(trx, merchantId, row.id, {
      ...patch,
      from_address: fromChanged ? map.get(lower(row.from_address))! : row.from_address,
      from_name: fromChanged ? null : row.from_name,
      to_addresses: JSON.stringify(row.to_addresses.map(address)),
      cc_addresses: JSON.stringify(row.cc_addresses.map(address)),
      status_reason: scrub(patch.status_reason ?? row.status_reason),
      raw_blob_key: null,
      raw_in_db: false,
      updated_at: now,
    })
    await store.rewriteRecipients(
      trx,
      merchantId,
      row.id,
      own.map((r) => ({
        address: r.address,
        to: map.get(lower(r.address)) ?? r.address,
        smtpReply: scrub(r.smtp_reply),
      })),
      now,
    )
    if (scope === 'addresses' && row.direction === 'in')
      sideAnswers.push({
        key: `${row.case_id}:side_conversation_answered:${row.id}`,
        body: (patch.reply_text ?? patch.text_body).slice(0, 500),
      })
    // As recordMessage wrote the entry, from the message as it now reads.
    rewrites.push({
      caseId: row.case_id,
      dedupKey: `message:${row.id}`,
      text: `${patch.subject}\n${patch.text_body}`,
      data: {
        subject: patch.subject,
        excerpt: (patch.reply_text ?? patch.text_body).slice(0, 280),
        ...(fromChanged ? { from: map.get(lower(row.from_address)) } : {}),
        ...(scope === 'content' ? { redacted: true } : {}),
      },
    })
    await recordAuditFor(
      trx,
      ctx,
      {
        action: 'message.redacted',
        entityType: 'message',
        entityId: row.id,
        before: { redacted_at: null },
        after: { redacted_at: scope === 'content' ? now : null, scope },
      },
      now,
    )
  }
  await redactTimelineEntries(trx, merchantId, 'message', rewrites)
  const replies = work.filter((w) => w.scope === 'content' && w.row.direction === 'in').map((w) => w.row)
  await redactNotifications(
    trx,
    merchantId,
    replies.map((r) => `${r.case_id}:customer_replied:${r.id}`),
    redactedText,
  )
  for (const { key, body } of sideAnswers) await redactNotifications(trx, merchantId, [key], body)
  await eraseOriginals(trx, app, merchantId, work)
}

const mapValues = (o: Record<string, string>, f: (v: string) => string) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]))

/**
 * The side conversations on these cases lose the customer's addresses and numbers: as participants (to
 * placeholders), in their subject and counterparty, and in the timeline entries that quote those.
 */
async function redactSideConversations(
  trx: Trx,
  ctx: ServiceContext,
  caseIds: string[],
  customer: Set<string>,
  now: Date,
): Promise<void> {
  if (!customer.size) return
  const { merchantId } = ctx
  const map = customerPlaceholders(customer)
  const scrub = scrubWith(map)
  for (const row of await sideStore.lockSideConversationsOnCases(trx, merchantId, caseIds)) {
    const participants = row.participants.map((p) => {
      const to = map.get(lower(p.address))
      return to ? { address: to } : p
    })
    const patch = { subject: scrub(row.subject), counterparty_name: scrub(row.counterparty_name) }
    const named = participants.some((p, i) => p !== row.participants[i])
    if (!named && patch.subject === row.subject && patch.counterparty_name === row.counterparty_name) continue
    await sideStore.updateSideConversation(trx, merchantId, row.id, {
      ...patch,
      participants: JSON.stringify(participants),
      updated_at: now,
    })
    await recordAuditFor(
      trx,
      ctx,
      {
        action: 'side_conversation.redacted',
        entityType: 'side_conversation',
        entityId: row.id,
        after: { redacted: true },
      },
      now,
    )
  }
  const rewrites: TimelineRewrite[] = []
  for (const e of await listTimelineEntriesOfType(trx, merchantId, caseIds, 'side_conversation')) {
    const data = Object.fromEntries(
      Object.entries(e.data).flatMap(([k, v]) => (typeof v === 'string' && scrub(v) !== v ? [[k, scrub(v)]] : [])),
    )
    const text = scrub(e.text)
    if (text !== e.text || Object.keys(data).length) rewrites.push({ caseId: e.case_id, entryId: e.id, text, data })
  }
  await redactTimelineEntries(trx, merchantId, 'side_conversation', rewrites)
}

/** A message of the customer's conversation: its personal content becomes the marker. */
function contentPatch(row: MessageRow, scrub: Scrub, now: Date) {
  const pending = row.status === 'queued' || row.status === 'held'
  return {
    subject: redactedText,
    text_body: redactedText,
    reply_text: null,
    quoted_text: null,
    html_body: null,
    content_variables: row.content_variables && JSON.stringify(mapValues(row.content_variables, () => redactedText)),
    // Nothing of it is left to send (and its recipient is a placeholder).
    ...(pending
      ? { status: 'not_sent' as const, status_reason: notSentReason }
      : { status_reason: scrub(row.status_reason) }),
    redacted_at: now,
  } satisfies Updateable<Database['messages']>
}

/** A side conversation's message: its text stays, the customer's addresses in it do not. */
function addressPatch(row: MessageRow, scrub: Scrub) {
  return {
    subject: scrub(row.subject),
    text_body: scrub(row.text_body),
    reply_text: scrub(row.reply_text),
    quoted_text: scrub(row.quoted_text),
    html_body: scrub(row.html_body),
    content_variables: row.content_variables && JSON.stringify(mapValues(row.content_variables, scrub)),
    status_reason: scrub(row.status_reason),
    // The .eml names the customer and cannot be edited: it goes, and the inbox delivery no longer stands for it.
    inbox_delivery_id: null,
  } satisfies Updateable<Database['messages']>
}

/**
 * The originals, which cannot be edited: the stored .eml (its row, its file, the inbox delivery it came in) of every
 * message reached, and the files of the customer's conversation. Deleted before commit: should the commit fail,
 * the redelivered event deletes again (deleting a missing file is no error). A file the customer sent goes wherever
 * it was sent again; a file we sent them stays while another message still holds it (a carrier's photo, say).
 */
async function eraseOriginals(trx: Trx, app: AppContext, merchantId: string, work: Work[]): Promise<void> {
  const rows = work.map((w) => w.row)
  await store.deleteRawEmails(
    trx,
    merchantId,
    rows.map((r) => r.id),
  )
  await eraseDeliveryBodies(
    trx,
    merchantId,
    rows.flatMap((r) => (r.inbox_delivery_id ? [r.inbox_delivery_id] : [])),
  )
  const content = rows.filter((_, i) => work[i]!.scope === 'content')
  const inbound = new Set(content.filter((r) => r.direction === 'in').map((r) => r.id))
  const attachments = await messageStore.listAttachments(
    trx,
    merchantId,
    content.map((r) => r.id),
  )
  const keys = attachments.flatMap((a) => (a.blob_key ? [a.blob_key] : []))
  const theirs = attachments.filter((a) => a.blob_key && inbound.has(a.message_id)).map((a) => a.blob_key!)
  await store.redactAttachments(
    trx,
    merchantId,
    content.map((r) => r.id),
    theirs,
  )
  const held = await store.findHeldBlobKeys(trx, merchantId, keys)
  const files = new Set([
    ...rows.flatMap((r) => (r.raw_blob_key ? [r.raw_blob_key] : [])),
    ...keys.filter((k) => !held.has(k)),
  ])
  for (const key of files) await app.blobs.delete(key)
}

export const redactMessagesOfErasedCustomers = consumer({
  name: 'messaging:customer-erasure',
  types: ['customer.redacted'],
  handle: async (event, ctx) => {
    if (event.subject_id) await redactCustomerMessages(ctx, event.merchant_id, event.subject_id, new Date())
  },
})
