import type { FastifyRequest } from 'fastify'
import type { Config } from '../config.js'

/**
 * The absolute URL a webhook's sender requested, for providers that sign it (Twilio). With PUBLIC_URL set: its origin
 * and path prefix (the webhook URLs we show include it; a proxy serving us under a prefix strips it before we see
 * the request) and the request's path and query. Else the request's scheme and Host, which Fastify takes from
 * X-Forwarded-Proto and X-Forwarded-Host only when TRUST_PROXY is on (app.ts hands it `trustProxy`).
 */
export function webhookRequestUrl(req: FastifyRequest, config: Pick<Config, 'publicUrl' | 'publicUrlGiven'>): string {
  if (!config.publicUrlGiven) return `${req.protocol}://${req.host}${req.url}`
  const base = new URL(config.publicUrl)
  const prefix = base.pathname.replace(/\/+$/, '')
  return base.origin + (prefix && !req.url.startsWith(`${prefix}/`) ? prefix : '') + req.url
}
