import { loadConfig, type Config } from './config.js'
import type { AppContext } from './context.js'
import { buildApp, type Readiness } from './app.js'
import { ensureConsoleBuilt } from './http/console.js'
import { startWorker } from './jobs/worker.js'
import { findFirstMerchantId } from './merchants/service.js'
import { modules } from './registry.js'
import { ensureAdminKey } from './roles/api-keys.js'
import { openRuntime } from './runtime.js'
import { createWorkspace } from './workspaces.js'

/** CLAIMDESK_ADMIN_TOKEN works on a fresh install too: a first workspace is made for it if none exists. */
async function ensureAdminToken(ctx: AppContext) {
  const token = ctx.config.adminToken
  if (!token) return
  await ctx.db.transaction().execute(async (trx) => {
    const now = new Date()
    let merchantId = await findFirstMerchantId(trx)
    if (!merchantId) {
      const { merchant: created } = await createWorkspace(
        trx,
        { slug: 'default', name: 'My store', timeZone: 'UTC', defaultCurrency: 'USD' },
        now,
      )
      merchantId = created.id
    }
    const result = await ensureAdminKey(trx, merchantId, token, now)
    ctx.log.info({ merchant_id: merchantId }, `CLAIMDESK_ADMIN_TOKEN key ${result}`)
  })
}

export async function startServer(config: Config = loadConfig()) {
  const runtime = await openRuntime(config, { takeOwnership: true })
  const { ctx } = runtime
  await ensureAdminToken(ctx)
  // The workers before the HTTP app: the clock fires what fell due while the server was down without waiting for a
  // console build or the app's route compilation (which holds the event loop for seconds).
  const stopBackground = config.workers ? await startBackground(ctx) : undefined
  let workers: ReturnType<Readiness>['workers'] = config.workers ? 'running' : 'disabled'
  let app: Awaited<ReturnType<typeof buildApp>>
  try {
    await ensureConsoleBuilt(ctx.log)
    app = await buildApp(ctx, modules, () => ({ workers }))
    await app.listen({ port: config.port, host: config.host })
  } catch (err) {
    await stopBackground?.()
    throw err
  }
  ctx.log.info(`Claimdesk is serving ${config.publicUrl} (API docs at ${config.publicUrl}/docs)`)

  const stop = onSignals(ctx, async () => {
    await app.close() // stops accepting, waits for in-flight requests
    await stopBackground?.()
    workers = 'stopped'
    await runtime.close()
  })
  return { app, ctx, stop }
}

/** Jobs and background loops only, no HTTP: scale workers apart from the API (WORKERS=false there). */
export async function startWorkerProcess(config: Config = loadConfig()) {
  const runtime = await openRuntime(config, { takeOwnership: false })
  const { ctx } = runtime
  const stopBackground = await startBackground(ctx)
  ctx.log.info('Claimdesk worker is running')
  return onSignals(ctx, async () => {
    await stopBackground()
    await runtime.close()
  })
}

/** The job queue and the modules' background loops (audit sequencer, …); returns their stop. */
async function startBackground(ctx: AppContext): Promise<() => Promise<void>> {
  const runner = await startWorker(modules, ctx)
  const loops = modules.flatMap((m) => m.background ?? []).map((start) => start(ctx))
  return async () => {
    await Promise.all(loops.map((stopLoop) => stopLoop()))
    await runner.stop()
  }
}

function onSignals(ctx: AppContext, shutdown: () => Promise<void>) {
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    ctx.log.info({ signal }, 'shutting down: draining requests, then workers, then the database')
    const force = setTimeout(() => process.exit(1), 30_000)
    force.unref()
    try {
      await shutdown()
      process.exit(0)
    } catch (err) {
      ctx.log.error({ err }, 'shutdown failed')
      process.exit(1)
    }
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
  return stop
}
