import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

// The web console (web/): built by Vite into web/dist and served here at `/`, the customer portal at `/portal/…`.
const webRoot = fileURLToPath(new URL('../../../web/', import.meta.url))
export const consoleDist = path.join(webRoot, 'dist')

const newest = (p: string): number => {
  const s = statSync(p)
  return s.isDirectory() ? Math.max(s.mtimeMs, ...readdirSync(p).map((f) => newest(path.join(p, f)))) : s.mtimeMs
}

/** Builds the console when there is no build yet or its sources changed since (so `npm start` needs no other step). */
export async function ensureConsoleBuilt(log: FastifyBaseLogger): Promise<void> {
  const index = path.join(consoleDist, 'index.html')
  const sources = ['src', 'public', 'index.html', 'vite.config.ts'].map((f) => path.join(webRoot, f)).filter(existsSync)
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources.map(newest))) return
  log.info('building the web console (once; `npm run web:build` does the same)')
  const { build } = await import('vite')
  // Vite takes NODE_ENV from the environment (vitest sets "test"), and React would ship its development build.
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await build({ configFile: path.join(webRoot, 'vite.config.ts'), mode: 'production', logLevel: 'warn' })
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = nodeEnv
  }
}

// A missing file answers 404, not the page (a portal token has a dot in it, so "has an extension" is not enough).
const fileLike = /\.(js|mjs|css|map|ico|png|jpe?g|gif|svg|webp|avif|woff2?|ttf|txt|json|xml|webmanifest)$/i

/** Serves the built console, if there is one; every page path answers index.html and the router takes over. */
export async function serveConsole(app: FastifyInstance, dist = consoleDist): Promise<void> {
  if (!existsSync(path.join(dist, 'index.html'))) return
  await app.register(fastifyStatic, {
    // The build writes .br and .gz beside each file (web/vite.config.ts); browsers get the smallest they accept.
    root: dist,
    wildcard: false,
    index: false,
    cacheControl: false,
    preCompressed: true,
    // Hashed asset names change with their content; the page itself is always revalidated.
    setHeaders: (res, file) =>
      res.setHeader(
        'cache-control',
        file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      ),
  })
  // Security headers (CSP included) come from installSecurityHeaders. A portal or survey address carries the
  // customer's token: no cache keeps the page and no other site sees the address.
  const page = (req: FastifyRequest, reply: FastifyReply) =>
    (req.url.startsWith('/portal/') || req.url.startsWith('/survey/')
      ? reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
      : reply.header('cache-control', 'no-cache')
    ).sendFile('index.html')
  app.get('/', { schema: { hide: true } }, page)
  app.get('/*', { schema: { hide: true } }, (req, reply) => {
    const url = req.url.split('?')[0]!
    if (url.startsWith('/api/') || url.startsWith('/webhooks/') || url.startsWith('/assets/') || fileLike.test(url))
      return reply.callNotFound()
    return page(req, reply)
  })
}
