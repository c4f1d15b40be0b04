import nodemailer, { type Transporter } from 'nodemailer'
import type { SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection'
import type { Config } from '../../config.js'

export type SmtpSettings = {
  connection: SMTPConnectionOptions
  auth?: { user: string; pass: string }
  dkim?: Config['email']['dkim']
}

/**
 * The mail server from SMTP_URL (smtp:// with STARTTLS when offered, smtps:// for implicit TLS; user and
 * password from the URL) and the DKIM key when configured. Null when no mail server is configured: messages
 * are then stored as `not_sent`, never pretended sent.
 */
export function smtpSettings(config: Pick<Config, 'smtpUrl' | 'email'>): SmtpSettings | null {
  if (!config.smtpUrl) return null
  const url = new URL(config.smtpUrl)
  return {
    connection: {
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
      secure: url.protocol === 'smtps:',
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    },
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    dkim: config.email.dkim,
  }
}

/** The outbound mail transport, DKIM-signing when configured (test sends; the send drain speaks SMTP itself). */
export function createMailTransport(config: Pick<Config, 'smtpUrl' | 'email'>): Transporter | null {
  const settings = smtpSettings(config)
  if (!settings) return null
  // One logical message a connection at a time; the send drain owns retries, not nodemailer.
  return nodemailer.createTransport({ ...settings.connection, auth: settings.auth, pool: false, dkim: settings.dkim })
}
