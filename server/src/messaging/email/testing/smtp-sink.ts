import type { AddressInfo } from 'node:net'
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server'

/** A message the sink received: its Message-ID, the envelope recipients, and when (ms since the epoch). */
export type Delivery = { messageId: string; to: string[]; raw: Buffer; at: number }

/**
 * How the sink answers a transaction's message once it has it in full: accept (250), refuse with a reply
 * (`{ code: 451, text }`), or stall (never answer, as a server that hangs after the data).
 */
export type Verdict = 'accept' | 'stall' | { code: number; text: string }

export type SmtpSink = {
  url: string
  deliveries: Delivery[]
  /** Messages received in full (answered or not), in order. */
  received: Delivery[]
  /** The verdict for the next transactions, one each, then `accept`. */
  plan: (...verdicts: Verdict[]) => void
  /** Refuse these recipients at RCPT TO with this reply. */
  refuseRecipient: (address: string, code: number, text: string) => void
  /** Accepts this recipient again. */
  acceptRecipient: (address: string) => void
  /** Resolves once `n` messages have been received in full. */
  receivedCount: (n: number) => Promise<void>
  /** How many times each recipient was delivered a message with this Message-ID. */
  countFor: (messageId: string) => Record<string, number>
  /** Drops every open connection, as a server restarting or timing out idle clients does. */
  dropConnections: () => void
  close: () => Promise<void>
}

const smtpError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code })

function messageIdOf(raw: Buffer): string {
  const head = raw.toString('latin1').split(/\r?\n\r?\n/, 1)[0]!
  return /^message-id:\s*<([^>]+)>/im.exec(head)?.[1] ?? ''
}

/** A local SMTP server over a real socket (127.0.0.1, a free port), recording what it is sent. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const deliveries: Delivery[] = []
  const received: Delivery[] = []
  const verdicts: Verdict[] = []
  const refused = new Map<string, Error>()
  const waiters: { n: number; resolve: () => void }[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // No DNS here: a reverse lookup of 127.0.0.1 per connection costs more than the whole transaction.
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      callback(refused.get(address.address.toLowerCase()) ?? null)
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks)
        const delivery = {
          messageId: messageIdOf(raw),
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          at: Date.now(),
        }
        received.push(delivery)
        for (const w of waiters.filter((w) => received.length >= w.n)) w.resolve()
        const verdict = verdicts.shift() ?? 'accept'
        if (verdict === 'stall') return
        if (verdict === 'accept') {
          deliveries.push(delivery)
          return callback(null, 'Ok: queued')
        }
        callback(smtpError(verdict.code, verdict.text))
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.server.address() as AddressInfo
  return {
    url: `smtp://127.0.0.1:${port}`,
    deliveries,
    received,
    plan: (...v) => verdicts.push(...v),
    refuseRecipient: (address, code, text) => refused.set(address.toLowerCase(), smtpError(code, text)),
    acceptRecipient: (address) => refused.delete(address.toLowerCase()),
    receivedCount: (n) =>
      received.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve })),
    countFor: (messageId) => {
      const counts: Record<string, number> = {}
      for (const d of deliveries.filter((d) => d.messageId === messageId))
        for (const to of d.to) counts[to] = (counts[to] ?? 0) + 1
      return counts
    },
    dropConnections: () => {
      for (const c of server.connections) c.close()
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
