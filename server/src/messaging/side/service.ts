import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { type CaseActivityEvent, findCaseOrThrow, notifyUsers, recordCaseActivity } from '../../cases/service.js'
import { recordAuditFor } from '../../changes.js'
import type { Db } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import { listMessages } from '../store.js'
import { withDetails } from '../service/conversation.js'
import { recordMessage } from '../service/record-message.js'
import { type MailSetup, sendMessage } from '../service/send-message.js'
import type { Address, CounterpartyKind, SideConversationStatus } from '../tables.js'
import { type RenderApp, renderForCase } from '../templates/service.js'
import type { Message, NewMessage } from '../types.js'
import * as store from './store.js'
import { type SideConversation, toSideConversation } from './types.js'

type Trx = Transaction<Database>
type Row = store.SideConversationRow

export type OpenSideInput = {
  counterpartyKind: CounterpartyKind
  counterpartyName?: string
  to: Address[]
  cc?: Address[]
  subject?: string
  /** The text as the agent sent it (after the template's preview, maybe edited); without it, the template's */
  text?: string
  html?: string
  templateId?: string
  templateVersion?: number
  /** Attachments of messages on the case, sent again */
  attachmentIds?: string[]
}
export type SideReplyInput = { text: string; html?: string; to?: Address[]; cc?: Address[] }
/** What sending on a side conversation needs: the mail setup, and for a template PUBLIC_URL and the links key. */
export type SideApp = { mail: MailSetup; render: RenderApp }

export const sideNotFound = (id: string) =>
  new AppError('side_conversation_not_found', 'No such side conversation', { side_conversation_id: id })

const lowerAddresses = (list: Address[]) => {
  const seen = new Map<string, Address>()
  for (const a of list) {
    const address = a.address.toLowerCase()
    if (!seen.has(address)) seen.set(address, a.name ? { address, name: a.name } : { address })
  }
  return [...seen.values()]
}
const re = (subject: string) => (/^re:/i.test(subject) ? subject : `Re: ${subject}`.slice(0, 998))
const fields = (r: Row) => ({
  side_conversation_id: r.id,
  case_id: r.case_id,
  counterparty_kind: r.counterparty_kind,
  counterparty_name: r.counterparty_name,
})
const who = (r: Row) => r.counterparty_name || r.counterparty_kind

/** The side conversation's change on its case: an internal timeline entry, the event, and its own audit entry. */
async function recordSideChange(
  trx: Trx,
  ctx: ServiceContext,
  before: Row | null,
  after: Row,
  change: { action: 'opened' | 'answered' | 'closed' | 'reopened'; text: string; messageId?: string; acts: boolean },
  event: CaseActivityEvent,
  now: Date,
): Promise<void> {
  await recordCaseActivity(
    trx,
    ctx,
    after.case_id,
    {
      action: `side_conversation.${change.action}`,
      acts: change.acts,
      events: [event],
      timeline: [
        {
          type: 'side_conversation',
          visibility: 'internal',
          dedupKey: `side_conversation:${after.id}:${change.action}:${change.messageId ?? now.toISOString()}`,
          text: `${change.text}\n${after.subject}`,
          data: {
            side_conversation_id: after.id,
            action: change.action,
            status: after.status,
            counterparty_kind: after.counterparty_kind,
            counterparty_name: after.counterparty_name,
            subject: after.subject,
            message_id: change.messageId ?? null,
          },
        },
      ],
    },
    now,
  )
  const view = (r: Row | null) => r && { status: r.status, closed_at: r.closed_at, participants: r.participants }
  await recordAuditFor(
    trx,
    ctx,
    {
      action: `side_conversation.${change.action}`,
      entityType: 'side_conversation',
      entityId: after.id,
      before: view(before),
      after: { ...view(after), case_id: after.case_id, counterparty_kind: after.counterparty_kind },
      // The third party's addresses may include the customer's: hashed, so erasure never edits the trail.
      personal: ['participants'],
    },
    now,
  )
}

/** The subject, text and template of a new side conversation's first email: the agent's text, or the template's. */
async function firstMessage(
  trx: Trx,
  ctx: ServiceContext,
  kase: { id: string; subject: string; number: number | string },
  input: OpenSideInput,
  app: SideApp,
  now: Date,
) {
  const caseId = kase.id
  if (input.text !== undefined) {
    const subject = input.subject ?? `${kase.subject} [CD-${kase.number}]`
    return { subject, text: input.text, html: input.html, templateId: input.templateId, version: input.templateVersion }
  }
  if (!input.templateId)
    throw new AppError('validation_failed', 'Write a text or name a template', { fields: ['text', 'template_id'] })
  const r = await renderForCase(
    trx,
    ctx,
    caseId,
    { templateId: input.templateId, version: input.templateVersion ?? 'live', app: app.render },
    now,
  )
  if (!r.text.trim())
    throw new AppError('validation_failed', 'The template renders no text for this case', { fields: ['template_id'] })
  const subject = (input.subject ?? r.subject).trim()
  if (!subject) throw new AppError('validation_failed', 'Give the email a subject', { fields: ['subject'] })
  return { subject, text: r.text, html: r.html ?? undefined, templateId: r.templateId, version: r.version, r }
}

/**
 * An agent starts a side conversation on a case: a third party (the carrier's claims desk, the 3PL) gets an email
 * from the workspace's From, written from a template rendered for the case or as free text, with a reply address
 * naming the conversation so their answer threads back into it. It waits on them (open).
 */
export async function openSideConversation(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  input: OpenSideInput,
  app: SideApp,
  now: Date,
): Promise<{ sideConversation: SideConversation; message: Message }> {
  const kase = await findCaseOrThrow(trx, ctx.merchantId, caseId)
  const to = lowerAddresses(input.to)
  if (!to.length) throw new AppError('recipient_required', 'Name the third party to write to', { case_id: caseId })
  const first = await firstMessage(trx, ctx, kase, input, app, now)
  const subject = first.subject.replace(/[\r\n]+/g, ' ').slice(0, 998)
  const row = await store.insertSideConversation(trx, {
    merchant_id: ctx.merchantId,
    id: newId(),
    case_id: kase.id,
    subject,
    counterparty_kind: input.counterpartyKind,
    counterparty_name: (input.counterpartyName ?? '').trim(),
    participants: JSON.stringify(lowerAddresses([...to, ...(input.cc ?? [])])),
    status: 'open',
    created_by: ctx.actor.type === 'user' ? ctx.actor.id : null,
    last_message_at: now,
    closed_at: null,
    created_at: now,
    updated_at: now,
  })
  const message = await sendMessage(
    trx,
    ctx,
    kase.id,
    {
      visibility: 'side',
      sideConversationId: row.id,
      to,
      cc: input.cc,
      subject,
      text: first.text,
      html: first.html,
      templateId: first.templateId,
      templateVersion: first.version ?? undefined,
      problems: first.r?.problems,
      attachmentIds: input.attachmentIds,
    },
    app.mail,
    now,
  )
  const data = { ...fields(row), message_id: message.id, template_id: first.templateId ?? null }
  await recordSideChange(
    trx,
    ctx,
    null,
    row,
    { action: 'opened', text: `Side conversation with ${who(row)} started`, messageId: message.id, acts: true },
    { type: 'side_conversation.opened', subjectId: row.id, data },
    now,
  )
  return { sideConversation: toSideConversation(row), message }
}

async function lockOrThrow(trx: Trx, merchantId: string, id: string): Promise<Row> {
  const row = await store.lockSideConversation(trx, merchantId, id)
  if (!row) throw sideNotFound(id)
  return row
}

/** An agent writes on a side conversation: to its participants unless told; it waits on the third party again. */
export async function replyToSideConversation(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  input: SideReplyInput,
  mail: MailSetup,
  now: Date,
): Promise<{ sideConversation: SideConversation; message: Message }> {
  const before = await lockOrThrow(trx, ctx.merchantId, id)
  const to = lowerAddresses(input.to ?? before.participants)
  if (!to.length)
    throw new AppError('recipient_required', 'Name the third party to write to', { side_conversation_id: id })
  const message = await sendMessage(
    trx,
    ctx,
    before.case_id,
    {
      visibility: 'side',
      sideConversationId: id,
      to,
      cc: input.cc,
      subject: re(before.subject),
      text: input.text,
      html: input.html,
    },
    mail,
    now,
  )
  const participants = lowerAddresses([...before.participants, ...to, ...(input.cc ?? [])])
  const after = await store.updateSideConversation(trx, ctx.merchantId, id, {
    status: 'open',
    closed_at: null,
    participants: JSON.stringify(participants),
    last_message_at: now,
    updated_at: now,
  })
  // Answering is the agent's half of the thread (the message's own timeline entry shows it); reopening is news.
  if (before.status === 'closed')
    await recordSideChange(
      trx,
      ctx,
      before,
      after,
      { action: 'reopened', text: `Side conversation with ${who(after)} reopened`, messageId: message.id, acts: true },
      { type: 'side_conversation.reopened', subjectId: id, data: { ...fields(after), message_id: message.id } },
      now,
    )
  return { sideConversation: toSideConversation(after), message }
}

/** An agent closes a side conversation (closing a closed one changes nothing). */
export const closeSideConversation = (trx: Trx, ctx: ServiceContext, id: string, now: Date) =>
  setClosed(trx, ctx, id, true, now)

/** An agent reopens a closed side conversation: it waits on the third party again (an open one stays as it is). */
export const reopenSideConversation = (trx: Trx, ctx: ServiceContext, id: string, now: Date) =>
  setClosed(trx, ctx, id, false, now)

async function setClosed(trx: Trx, ctx: ServiceContext, id: string, close: boolean, now: Date) {
  const before = await lockOrThrow(trx, ctx.merchantId, id)
  if ((before.status === 'closed') === close) return toSideConversation(before)
  const after = await store.updateSideConversation(trx, ctx.merchantId, id, {
    status: close ? 'closed' : 'open',
    closed_at: close ? now : null,
    updated_at: now,
  })
  const action = close ? 'closed' : 'reopened'
  const event: CaseActivityEvent = close
    ? { type: 'side_conversation.closed', subjectId: id, data: fields(after) }
    : { type: 'side_conversation.reopened', subjectId: id, data: { ...fields(after), message_id: null } }
  const text = `Side conversation with ${who(after)} ${action}`
  await recordSideChange(trx, ctx, before, after, { action, text, acts: true }, event, now)
  return toSideConversation(after)
}

/**
 * The third party's email threaded into its side conversation (by its reply address, or by In-Reply-To/References
 * to its messages): recorded as a side message from a contact; a person's reply makes the conversation answered
 * (reopening a closed one) and tells the case's assignee. An auto-reply is recorded and changes nothing.
 */
export async function receiveSideReply(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  input: Omit<NewMessage, 'caseId' | 'visibility' | 'authorType' | 'sideConversationId'>,
  now: Date,
): Promise<Message> {
  const before = await lockOrThrow(trx, ctx.merchantId, id)
  const robot = !!input.robotReason
  const message = await recordMessage(
    trx,
    ctx,
    {
      ...input,
      caseId: before.case_id,
      visibility: 'side',
      authorType: robot ? 'system' : 'contact',
      automatic: robot,
      sideConversationId: id,
    },
    now,
  )
  const status: SideConversationStatus = robot ? before.status : 'answered'
  const participants = robot ? before.participants : lowerAddresses([...before.participants, input.from])
  const after = await store.updateSideConversation(trx, ctx.merchantId, id, {
    // A case merged since: the conversation follows its message to the case it lives on now.
    case_id: message.case_id,
    status,
    closed_at: status === 'closed' ? before.closed_at : null,
    participants: JSON.stringify(participants),
    last_message_at: now,
    updated_at: now,
  })
  if (robot) return message
  const reopened = before.status === 'closed'
  const data = { ...fields(after), message_id: message.id, reopened }
  await recordSideChange(
    trx,
    ctx,
    before,
    after,
    { action: 'answered', text: `${who(after)} answered the side conversation`, messageId: message.id, acts: false },
    { type: 'side_conversation.answered', subjectId: id, data },
    now,
  )
  const kase = await findCaseOrThrow(trx, ctx.merchantId, after.case_id)
  if (kase.assignee_id)
    await notifyUsers(
      trx,
      ctx.merchantId,
      [kase.assignee_id],
      {
        caseId: kase.id,
        cause: 'side_conversation_answered',
        title: `${who(after)} answered on CD-${kase.number}`,
        body: (input.replyText ?? input.text).slice(0, 500),
        dedupKey: `${kase.id}:side_conversation_answered:${message.id}`,
      },
      now,
    )
  return message
}

/** A case's side conversations, newest first, with how many are open, answered and closed. */
export async function listCaseSideConversations(db: Db, merchantId: string, caseId: string) {
  await findCaseOrThrow(db, merchantId, caseId)
  const [rows, counts] = await Promise.all([
    store.listSideConversations(db, merchantId, caseId),
    store.countSideConversations(db, merchantId, caseId),
  ])
  return { data: rows.map(toSideConversation), counts }
}

/** One side conversation with its whole thread, oldest first. */
export async function getSideConversation(db: Db, merchantId: string, id: string) {
  const row = await store.findSideConversation(db, merchantId, id)
  if (!row) throw sideNotFound(id)
  const messages = await listMessages(db, merchantId, { sideConversationId: id, limit: 500 })
  return { ...toSideConversation(row), messages: await withDetails(db, merchantId, messages) }
}
