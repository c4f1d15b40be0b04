import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import helmet, { type HelmetOptions } from 'helmet'

/**
 * Security headers on every response (API, /docs, /openapi.json, probes, console, portal), as helmet sets them.
 * One CSP serves both pages that run scripts: the console (Vite emits only same-origin module scripts; Mantine sets
 * element styles at run time, hence inline styles) and the Swagger UI at /docs (same-origin scripts, data: images).
 */
export function installSecurityHeaders(app: FastifyInstance, publicUrl: string): void {
  const headers = securityHeaders(publicUrl)
  app.addHook('onRequest', (_req, reply, done) => {
    reply.headers(headers)
    done()
  })
}

/**
 * helmet's headers for these options, worked out once. They depend on configuration only (no nonces), and
 * @fastify/helmet rebuilds helmet, CSP parsing included, on every request: a fifth of a webhook's CPU.
 */
export function securityHeaders(publicUrl: string): Record<string, string> {
  const headers: Record<string, string> = {}
  const res = {
    setHeader: (name: string, value: string | number) => {
      headers[name.toLowerCase()] = String(value)
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()]
    },
  }
  helmet(helmetOptions(publicUrl))({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err
  })
  return headers
}

function helmetOptions(publicUrl: string): HelmetOptions {
  const https = publicUrl.startsWith('https:')
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // Over plain http (the default 127.0.0.1:3000) an upgrade would send the page's requests to a port without TLS.
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    // Pages keep same-origin referrers for the console's own links; the portal and its API answer no-referrer.
    referrerPolicy: { policy: 'same-origin' },
    // Only a site reached over https may ask browsers to refuse plain http for a year.
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  }
}

/** For what a customer's signed link opens: the token is a credential, so nothing between keeps a copy. */
export const noStoreHeaders = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } as const
