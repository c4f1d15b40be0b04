import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server'
import { sql } from 'kysely'
import { systemContext } from '../../auth/actor.js'
import type { AppContext } from '../../context.js'
import { createConnection, listConnections, onConnectionChanged } from '../../integrations/service.js'
import { createSidePool } from '../../db/database.js'
import { DeliveryBatcher, defaultBatcherOptions } from '../../intake/batcher.js'
import { findMerchantIdBySlug } from '../../merchants/service.js'
import { parseReplyAddress, parseSideReplyAddress, verifyReply, verifySideReply } from '../email/reply-address.js'
import { findMerchantOfSideConversation } from '../side/store.js'
import { envelopeHeaders, smtpProvider } from './providers.js'
import * as store from './store.js'

/**
 * The SMTP listener: accepts mail for `*@INBOUND_EMAIL_DOMAIN` and answers 250 only once the raw message is
 * committed to the platform inbox (source messaging, provider smtp, one delivery per workspace it is for); the
 * inbox drain then processes it like any webhook. A workspace is named by the recipient:
 * - `reply+<token>@<domain>`: the case the token names (its workspace is that of the messages we sent on it);
 * - `side+<token>@<domain>`: the side conversation the token names (a third party's answer);
 * - `<workspace slug>@<domain>`: the workspace's own address, opening a new case (unless the mail threads).
 * Anything else gets 550 at RCPT; a message over EMAIL_MAX_BYTES gets 552 (and SIZE is announced); a failure to
 * store gets 451, so the sender retries and nothing is lost.
 */
export type InboundSmtp = { port: number; close: () => Promise<void> }

type Recipient = { merchantId: string; address: string }

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code })

export class RecipientResolver {
  private connections = new Map<string, string | null>()
  // A case (or side conversation) never changes workspace: once known, a reply address costs no query.
  private caseOwners = new Map<string, string>()
  private stopListening: () => void
  constructor(private ctx: AppContext) {
    this.stopListening = onConnectionChanged(() => this.connections.clear())
  }
  close() {
    this.stopListening()
  }

  /** The workspace a recipient address is for, or an SMTP error to answer with. */
  async resolve(address: string): Promise<Recipient | Error> {
    const domain = this.ctx.config.email.inboundDomain.toLowerCase()
    const at = address.lastIndexOf('@')
    if (at < 1 || address.slice(at + 1).toLowerCase() !== domain)
      return smtpError(550, `5.7.1 <${address}>: relay not permitted, this server only accepts mail for ${domain}`)
    const local = address.slice(0, at).toLowerCase()
    let merchantId: string | undefined
    const reply = parseReplyAddress(address, domain)
    const side = reply ? null : parseSideReplyAddress(address, domain)
    if (reply) {
      const owner = await this.ownerOf(reply.caseId, store.findMerchantOfCase)
      if (owner && verifyReply(this.ctx.keys.links, owner, reply.caseId, reply.token)) merchantId = owner
    } else if (side) {
      const owner = await this.ownerOf(side.sideConversationId, findMerchantOfSideConversation)
      if (owner && verifySideReply(this.ctx.keys.links, owner, side.sideConversationId, side.token)) merchantId = owner
    } else if (/^[a-z0-9][a-z0-9-]{0,62}$/.test(local)) {
      merchantId = await findMerchantIdBySlug(this.ctx.db, local)
    }
    if (!merchantId) return smtpError(550, `5.1.1 <${address}>: no such mailbox`)
    if ((await this.connectionFor(merchantId)) === null)
      return smtpError(550, `5.2.1 <${address}>: this mailbox does not accept email`)
    return { merchantId, address }
  }

  /** The workspace of a case or side conversation (UUIDv7s: one map holds both). */
  private async ownerOf(
    id: string,
    find: (db: AppContext['db'], id: string) => Promise<string | undefined>,
  ): Promise<string | undefined> {
    const known = this.caseOwners.get(id)
    if (known) return known
    const owner = await find(this.ctx.db, id)
    if (!owner) return undefined
    if (this.caseOwners.size > 100_000) this.caseOwners.clear()
    this.caseOwners.set(id, owner)
    return owner
  }

  /** The workspace's messaging/smtp connection (made on its first email); null when it was disabled. */
  async connectionFor(merchantId: string): Promise<string | null> {
    const known = this.connections.get(merchantId)
    if (known !== undefined) return known
    const now = new Date()
    const id = await this.ctx.db.transaction().execute(async (trx) => {
      // One connection per workspace, however many first emails arrive at once.
      await sql`select pg_advisory_xact_lock(hashtext(${`messaging-smtp:${merchantId}`}))`.execute(trx)
      const [existing] = await listConnections(
        trx,
        merchantId,
        { source: 'messaging', provider: 'smtp', limit: 1 },
        now,
      )
      if (existing) return existing.status === 'active' ? existing.id : null
      const { connection } = await createConnection(
        trx,
        systemContext(merchantId, 'email'),
        this.ctx.keys.secrets,
        { source: 'messaging', provider: 'smtp', name: 'Email received by the SMTP listener' },
        now,
      )
      return connection.id
    })
    if (this.connections.size > 10_000) this.connections.clear()
    this.connections.set(merchantId, id)
    return id
  }
}

async function readAll(stream: SMTPServerDataStream): Promise<Buffer | null> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) if (!stream.sizeExceeded) chunks.push(chunk as Buffer)
  return stream.sizeExceeded ? null : Buffer.concat(chunks)
}

/** Commits the message to the inbox, one delivery per workspace (a resent one is stored once); returns their ids. */
export async function commitInbound(
  batcher: DeliveryBatcher,
  resolver: RecipientResolver,
  raw: Buffer,
  envelope: { from: string; recipients: Recipient[]; remoteAddress: string; sessionId: string },
): Promise<string[]> {
  const byMerchant = new Map<string, string[]>()
  for (const r of envelope.recipients)
    byMerchant.set(r.merchantId, [...(byMerchant.get(r.merchantId) ?? []), r.address])
  const connections = new Map<string, string>()
  for (const merchantId of byMerchant.keys()) {
    const id = await resolver.connectionFor(merchantId)
    if (!id) throw smtpError(550, '5.2.1 This mailbox does not accept email')
    connections.set(merchantId, id)
  }
  const now = new Date()
  const dedupKey = smtpProvider.dedupKey({ headers: {}, rawBody: raw })
  // Group commit: messages arriving together share one insert and one WAL flush; each is answered once its row is.
  const stored = await Promise.all(
    [...byMerchant].map(([merchantId, addresses]) =>
      batcher.store(
        {
          connection: { merchantId, id: connections.get(merchantId)!, source: 'messaging', provider: 'smtp' },
          provider: smtpProvider,
          dedupKey,
        },
        {
          headers: {
            [envelopeHeaders.from]: envelope.from,
            [envelopeHeaders.to]: addresses.join(','),
            'x-remote-address': envelope.remoteAddress,
            'content-type': 'message/rfc822',
          },
          rawBody: raw,
          contentType: 'message/rfc822',
          requestId: `smtp:${envelope.sessionId}`.slice(0, 100),
        },
        now,
      ),
    ),
  )
  return stored.map((s) => s.deliveryId)
}

/** Starts the listener on the given port (0: any free one) and host. */
export async function startInboundSmtp(ctx: AppContext, opts: { port: number; host: string }): Promise<InboundSmtp> {
  const resolver = new RecipientResolver(ctx)
  // Its own connection, as the webhook route has: acknowledgements never wait behind the workers' transactions.
  const ingestPool = createSidePool(ctx.pool, defaultBatcherOptions.maxInFlight)
  const batcher = new DeliveryBatcher(ctx.db, ingestPool)
  const accepted = new WeakMap<SMTPServerSession, Recipient[]>()
  const server = new SMTPServer({
    name: ctx.config.email.inboundDomain,
    banner: 'Claimdesk inbound mail',
    // No certificate is configured: plain SMTP only (terminate TLS in front when needed). No relaying, no AUTH.
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    size: ctx.config.email.maxMessageBytes,
    logger: false,
    maxClients: 500,
    socketTimeout: 60_000,
    onRcptTo(address, session, callback) {
      resolver.resolve(address.address).then(
        (r) => {
          if (r instanceof Error) return callback(r)
          accepted.set(session, [...(accepted.get(session) ?? []), r])
          callback()
        },
        (err) => {
          ctx.log.error({ err }, 'smtp: resolving a recipient failed')
          callback(smtpError(451, '4.3.0 Temporary failure, try again later'))
        },
      )
    },
    onData(stream, session, callback) {
      const recipients = accepted.get(session) ?? []
      // RSET and a new transaction on the same connection start from no recipients.
      accepted.delete(session)
      readAll(stream)
        .then(async (raw) => {
          if (!raw) return callback(smtpError(552, '5.3.4 Message exceeds the fixed maximum message size'))
          const mailFrom = session.envelope.mailFrom
          const ids = await commitInbound(batcher, resolver, raw, {
            from: mailFrom ? mailFrom.address : '',
            recipients,
            remoteAddress: session.remoteAddress,
            sessionId: session.id,
          })
          callback(null, `OK: stored as ${ids.join(' ')}`)
        })
        .catch((err: Error & { responseCode?: number }) => {
          if (err.responseCode) return callback(err)
          ctx.log.error({ err }, 'smtp: storing a message failed')
          callback(smtpError(451, '4.3.0 Temporary failure, try again later'))
        })
    },
    onMailFrom(_address, session, callback) {
      accepted.delete(session)
      callback()
    },
  })
  server.on('error', (err) => ctx.log.error({ err }, 'smtp: listener error'))
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject)
    server.listen(opts.port, opts.host, () => {
      server.server.off('error', reject)
      resolve()
    })
  })
  const address = server.server.address()
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    close: async () => {
      resolver.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await ingestPool.end()
    },
  }
}

/** The `Module.background` entry: the listener runs with the workers when SMTP_INBOUND_PORT is set. */
export function inboundSmtpListener(ctx: AppContext): () => Promise<void> {
  const { inboundPort, inboundHost } = ctx.config.email
  if (!inboundPort) return async () => undefined
  const started = startInboundSmtp(ctx, { port: inboundPort, host: inboundHost })
  started.then(
    (s) => ctx.log.info({ port: s.port, host: inboundHost }, 'smtp: listening for inbound email'),
    (err) => ctx.log.error({ err }, 'smtp: the inbound listener could not start'),
  )
  return async () => {
    const s = await started.catch(() => null)
    await s?.close()
  }
}
