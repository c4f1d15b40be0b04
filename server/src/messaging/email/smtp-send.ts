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

function classify(err: SmtpError, transferring: boolean): Pick<RecipientOutcome, 'outcome' | 'reply'> {
  const reply = err.response ?? err.message
  if (err.responseCode) return { outcome: err.responseCode >= 500 ? 'permanent' : 'temporary', reply }
  return { outcome: transferring ? 'unknown' : 'temporary', reply }
}

function outcomes(to: string[], err: SmtpError | null, rejected: SmtpError[], transferring: boolean, reply: string) {
  const byRecipient = new Map(rejected.map((e) => [e.recipient, e]))
  return to.map((address): RecipientOutcome => {
    const refusal = byRecipient.get(address)
    if (refusal) return { address, ...classify(refusal, false) }
    return err ? { address, ...classify(err, transferring) } : { address, outcome: 'accepted', reply }
  })
}

/**
 * One SMTP transaction: `raw` from `from` to `to`, each recipient's outcome. The message is handed to the
 * socket only once the server has answered DATA (the stream is piped then), so an error before that point
 * is known to have delivered nothing. Never throws.
 */
export function deliver(settings: SmtpSettings, from: string, to: string[], raw: Buffer): Promise<RecipientOutcome[]> {
  const connection = new SMTPConnection(settings.connection)
  let transferring = false
  const body = new Readable({
    read() {
      transferring = true
      this.push(raw)
      this.push(null)
    },
  })
  return new Promise((resolve) => {
    let settled = false
    const finish = (result: RecipientOutcome[]) => {
      if (settled) return
      settled = true
      resolve(result)
    }
    const fail = (err: SmtpError) => {
      finish(outcomes(to, err, (err as { rejectedErrors?: SmtpError[] }).rejectedErrors ?? [], transferring, ''))
      connection.close()
    }
    connection.on('error', fail)
    connection.once('end', () =>
      fail(Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' })),
    )
    connection.connect(() => {
      const send = () =>
        connection.send({ from, to }, body, (err, info) => {
          if (err) return fail(err as SmtpError)
          finish(outcomes(to, null, (info?.rejectedErrors ?? []) as SmtpError[], true, info?.response ?? '250'))
          connection.quit()
        })
      if (settings.auth && connection.allowsAuth)
        connection.login(settings.auth, (err) => (err ? fail(err as SmtpError) : send()))
      else send()
    })
  })
}
