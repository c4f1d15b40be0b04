import { rmSync } from 'node:fs'
import path from 'node:path'
import Fastify from 'fastify'
import { forkLoad, type LoadReport, print } from './fork.js'
import { createBenchMerchant, openBenchRuntime } from './setup.js'
import { systemContext } from '../server/src/auth/actor.js'
import { createApiKey } from '../server/src/roles/api-keys.js'
import { buildApp } from '../server/src/app.js'
import { modules } from '../server/src/registry.js'
import { findBuiltinRoleId } from '../server/src/roles/service.js'

type Load = LoadReport & { p90_ms: number }

const load = (spec: Record<string, unknown>) => forkLoad<Load>('./load.mjs', spec)

/**
 * An authenticated, audited write (POST /api/v1/teams: API-key lookup, permission check, schema
 * validation, a transaction with the insert and its audit entry) against a bare Fastify route
 * parsing the same JSON, in one run on the same machine.
 */
export async function run(opts: Record<string, string | boolean | undefined>) {
  const duration = Number(opts.duration ?? 10)
  const connections = Number(opts.connections ?? 16)
  const { dataDir, runtime } = await openBenchRuntime('claimdesk-bench-')
  const { ctx } = runtime
  try {
    const key = await ctx.db.transaction().execute(async (trx) => {
      const merchant = await createBenchMerchant(trx, 'bench', 'Bench Ltd')
      const roleId = await findBuiltinRoleId(trx, merchant.id, 'admin')
      return (await createApiKey(trx, systemContext(merchant.id), { name: 'bench', roleId }, new Date())).key
    })
    const app = await buildApp(ctx, modules)
    await app.listen({ port: 0, host: '127.0.0.1' })
    const bare = Fastify()
    bare.post(
      '/bare',
      {
        schema: {
          body: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string', minLength: 1, maxLength: 100 } },
            additionalProperties: false,
          },
        },
      },
      async (req, reply) => reply.status(201).send({ id: 'x', name: (req.body as { name: string }).name }),
    )
    await bare.listen({ port: 0, host: '127.0.0.1' })
    const port = (s: { server: { address: () => unknown } }) => (s.server.address() as { port: number }).port

    const common = { method: 'POST', duration, connections }
    print({
      bench: 'api',
      phase: 'config',
      duration_s: duration,
      connections,
      node: process.version,
      database: 'embedded PostgreSQL, default durability',
    })
    // Warm-up: JIT, connection pool, prepared plans.
    await load({
      ...common,
      duration: 2,
      url: `http://127.0.0.1:${port(app)}/api/v1/teams`,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      bodyPrefix: 'Warm-up team',
    })
    const bareResult = await load({
      ...common,
      url: `http://127.0.0.1:${port(bare)}/bare`,
      headers: { 'content-type': 'application/json' },
      bodyPrefix: 'Bare',
    })
    print({ bench: 'api', target: 'bare_fastify', endpoint: 'POST /bare', ...bareResult })
    const apiResult = await load({
      ...common,
      url: `http://127.0.0.1:${port(app)}/api/v1/teams`,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      bodyPrefix: 'Bench team',
    })
    print({ bench: 'api', target: 'claimdesk', endpoint: 'POST /api/v1/teams', ...apiResult })
    const audited = await ctx.db
      .selectFrom('audit_entries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('action', '=', 'team.created')
      .executeTakeFirstOrThrow()
    print({
      bench: 'api',
      summary: true,
      claimdesk_requests_per_sec: Math.round(apiResult.requests_per_sec),
      bare_requests_per_sec: Math.round(bareResult.requests_per_sec),
      throughput_ratio: Number((apiResult.requests_per_sec / bareResult.requests_per_sec).toFixed(4)),
      claimdesk_p99_ms: apiResult.p99_ms,
      bare_p99_ms: bareResult.p99_ms,
      p99_ratio: Number((apiResult.p99_ms / Math.max(bareResult.p99_ms, 1)).toFixed(2)),
      claimdesk_non_2xx: apiResult.non_2xx,
      audit_entries_written: Number(audited.n),
    })
    await app.close()
    await bare.close()
  } finally {
    await runtime.close()
    rmSync(path.resolve(dataDir), { recursive: true, force: true })
  }
}
