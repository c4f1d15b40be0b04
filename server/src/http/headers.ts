import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'

/**
 * Security headers on every response (API, /docs, /openapi.json, probes, console, portal), from helmet.
 * One CSP serves both pages that run scripts: the console (Vite emits only same-origin module scripts; Mantine sets
 * element styles at run time, hence inline styles) and the Swagger UI at /docs (same-origin scripts, data: images).
 */
export async function installSecurityHeaders(app: FastifyInstance, publicUrl: string): Promise<void> {
  const https = publicUrl.startsWith('https:')
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"], scriptSrc: ["'self'"], scriptSrcAttr: ["'none'"], styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'], fontSrc: ["'self'", 'data:'], connectSrc: ["'self'"], objectSrc: ["'none'"],
        baseUri: ["'self'"], formAction: ["'self'"], frameAncestors: ["'none'"],
        // Over plain http (the default 127.0.0.1:3000) an upgrade would send the page's requests to a port without TLS.
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    // Pages keep same-origin referrers for the console's own links; the portal and its API answer no-referrer.
    referrerPolicy: { policy: 'same-origin' },
    // Only a site reached over https may ask browsers to refuse plain http for a year.
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  })
}
