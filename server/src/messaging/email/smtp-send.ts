import { Readable } from 'node:stream'
import SMTPConnection from 'nodemailer/lib/smtp-connection'
import type { SmtpSettings } from './transport.js'

/**
 * What became of one recipient of an SMTP transaction. accepted: the server took responsibility (250 after the
 * data). temporary: it did not, and said so (4xx) or the transaction ended before the message was transferred;
 * sending again is safe. permanent: refused (5xx). unknown: the connection ended while the message was on its
 * way or its reply was awaited: it may have been accepted, so sending again could deliver it twice.
 */
export type RecipientOutcome = {
  address: string
  outcome: 'accepted' | 'temporary' | 'permanent' | 'unknown'
  reply: string
}

type SmtpError = Error & { code?: string; responseCode?: number; response?: string; recipient?: string }
type Connection = { smtp: SMTPConnection; dead: boolean; sent: number; idle?: NodeJS.Timeout }
type Transaction = { err: SmtpError | null; rejected: SmtpError[]; reply: string; transferring: boolean }

// Connections are kept open between messages (as a mail client's pool does): a server's greeting can take longer
// than the whole transaction (smtp-server waits 100 ms for early talkers; postscreen longer).
const idleMs = 1000
const maxMessagesPerConnection = 100
const idle = new Map<string, Connection[]>()
const closed = () => Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' })

function classify(err: SmtpError, transferring: boolean): Pick<RecipientOutcome, 'outcome' | 'reply'> {
  const reply = err.response ?? err.message
  if (err.responseCode) return { outcome: err.responseCode >= 500 ? 'permanent' : 'temporary', reply }
  return { outcome: transferring ? 'unknown' : 'temporary', reply }
}

function outcomes(to: string[], t: Transaction): RecipientOutcome[] {
  const byRecipient = new Map(t.rejected.map((e) => [e.recipient, e]))
  return to.map((address): RecipientOutcome => {
    const refusal = byRecipient.get(address)
    if (refusal) return { address, ...classify(refusal, false) }
    return t.err ? { address, ...classify(t.err, t.transferring) } : { address, outcome: 'accepted', reply: t.reply }
  })
}

function connect(settings: SmtpSettings): Promise<Connection> {
  const smtp = new SMTPConnection(settings.connection)
  const connection: Connection = { smtp, dead: false, sent: 0 }
  const die = () => {
    connection.dead = true
  }
  smtp.on('error', die)
  smtp.on('end', die)
  return new Promise((resolve, reject) => {
    smtp.once('error', reject)
    smtp.once('end', () => reject(closed()))
    smtp.connect(() => {
      if (!settings.auth || !smtp.allowsAuth) return resolve(connection)
      smtp.login(settings.auth, (err) => {
        if (!err) return resolve(connection)
        smtp.close()
        reject(err)
      })
    })
  })
}

/** One SMTP transaction on an open connection. The body is piped only once the server has answered DATA. */
function transact(connection: Connection, from: string, to: string[], raw: Buffer): Promise<Transaction> {
  let transferring = false
  const body = new Readable({
    read() {
      transferring = true
      this.push(raw)
      this.push(null)
    },
  })
  const { smtp } = connection
  return new Promise((resolve) => {
    let settled = false
    const done = (err: SmtpError | null, rejected: SmtpError[] = [], reply = '') => {
      if (settled) return
      settled = true
      smtp.off('error', done)
      smtp.off('end', onEnd)
      resolve({
        err,
        rejected: err ? ((err as { rejectedErrors?: SmtpError[] }).rejectedErrors ?? []) : rejected,
        reply,
        transferring,
      })
    }
    const onEnd = () => done(closed())
    smtp.on('error', done)
    smtp.on('end', onEnd)
    smtp.send({ from, to }, body, (err, info) =>
      done(err as SmtpError | null, (info?.rejectedErrors ?? []) as SmtpError[], info?.response ?? '250'),
    )
  })
}

const poolKey = (s: SmtpSettings) => JSON.stringify([s.connection.host, s.connection.port, s.auth?.user])

function take(key: string): Connection | undefined {
  const list = idle.get(key)
  for (let c = list?.pop(); c; c = list?.pop()) {
    clearTimeout(c.idle)
    if (!c.dead) return c
  }
  return undefined
}

function giveBack(key: string, connection: Connection): void {
  if (connection.dead || connection.sent >= maxMessagesPerConnection) {
    connection.smtp.quit()
    return
  }
  const list = idle.get(key) ?? []
  idle.set(key, list)
  list.push(connection)
  connection.idle = setTimeout(() => {
    list.splice(list.indexOf(connection), 1)
    connection.smtp.quit()
  }, idleMs)
  connection.idle.unref()
}

/**
 * One SMTP transaction: `raw` from `from` to `to`, each recipient's outcome. An error before the server answered
 * DATA is known to have delivered nothing (a kept connection the server had dropped is replaced, once). Never throws.
 */
export async function deliver(
  settings: SmtpSettings,
  from: string,
  to: string[],
  raw: Buffer,
): Promise<RecipientOutcome[]> {
  const key = poolKey(settings)
  const kept = take(key)
  if (kept) {
    const t = await transact(kept, from, to, raw)
    const stale = t.err && !t.transferring && (!t.err.responseCode || t.err.responseCode === 421)
    if (!stale) return finish(key, kept, to, t)
    kept.smtp.close()
  }
  let fresh: Connection
  try {
    fresh = await connect(settings)
  } catch (err) {
    return outcomes(to, { err: err as SmtpError, rejected: [], reply: '', transferring: false })
  }
  return finish(key, fresh, to, await transact(fresh, from, to, raw))
}

function finish(key: string, connection: Connection, to: string[], t: Transaction): RecipientOutcome[] {
  connection.sent++
  if (t.err) connection.smtp.close()
  else giveBack(key, connection)
  return outcomes(to, t)
}

/**
 * Many SMTP transactions, `concurrency` at a time (each on its own kept connection): each message's recipients'
 * outcomes, in the order given. Never throws.
 */
export async function deliverAll(
  settings: SmtpSettings,
  messages: { from: string; to: string[]; raw: Buffer }[],
  concurrency: number,
): Promise<RecipientOutcome[][]> {
  const results: RecipientOutcome[][] = []
  let next = 0
  const lane = async () => {
    for (let i = next++; i < messages.length; i = next++) {
      const m = messages[i]!
      results[i] = await deliver(settings, m.from, m.to, m.raw)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, messages.length) }, lane))
  return results
}
