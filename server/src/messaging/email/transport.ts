import nodemailer, { type Transporter } from 'nodemailer'
import type { Config } from '../../config.js'

/**
 * The outbound mail transport from SMTP_URL (smtp:// with STARTTLS when offered, smtps:// for implicit TLS;
 * user and password from the URL), DKIM-signing when configured. Null when no mail server is configured:
 * messages are then stored as `not_sent`, never pretended sent.
 */
export function createMailTransport(config: Pick<Config, 'smtpUrl' | 'email'>): Transporter | null {
  if (!config.smtpUrl) return null
  const url = new URL(config.smtpUrl)
  return nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // One logical message a connection at a time; the send job owns retries, not nodemailer.
    pool: false,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    dkim: config.email.dkim,
  })
}
