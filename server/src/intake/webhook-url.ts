import type { FastifyRequest } from 'fastify'
import type { Config } from '../config.js'

/**
 * The absolute URL a webhook's sender requested, for providers that sign it (Twilio): PUBLIC_URL's origin and the
 * request's path and query when PUBLIC_URL is set; else the request's scheme and Host, which Fastify takes from
 * X-Forwarded-Proto and X-Forwarded-Host only when TRUST_PROXY is on (app.ts hands it `trustProxy`).
 */
export function webhookRequestUrl(req: FastifyRequest, config: Pick<Config, 'publicUrl' | 'publicUrlGiven'>): string {
  if (config.publicUrlGiven) return new URL(config.publicUrl).origin + req.url
  return `${req.protocol}://${req.host}${req.url}`
}
