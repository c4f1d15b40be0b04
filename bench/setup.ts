import type { Transaction } from 'kysely'
import { systemContext } from '../server/src/auth/actor.js'
import { loadConfig } from '../server/src/config.js'
import { makeTraversableTempDir } from '../server/src/db/embedded.js'
import type { Database } from '../server/src/db/schema.js'
import { createConnection } from '../server/src/integrations/service.js'
import { openRuntime } from '../server/src/runtime.js'
import { createWorkspace } from '../server/src/workspaces.js'

/** A fresh embedded database in a temporary folder and the server's runtime on it, logging warnings only. */
export async function openBenchRuntime(prefix: string) {
  const dataDir = makeTraversableTempDir(prefix)
  const runtime = await openRuntime(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), {
    takeOwnership: true,
    poolSize: 20,
  })
  runtime.ctx.log.level = 'warn'
  return { dataDir, runtime }
}

/** The merchant a bench works as, in UTC and GBP. */
export async function createBenchMerchant(trx: Transaction<Database>, slug: string, name: string) {
  const { merchant } = await createWorkspace(trx, { slug, name, timeZone: 'UTC', defaultCurrency: 'GBP' }, new Date())
  return merchant
}

/** A generic carrier connection of the merchant's, and the secret its webhooks are signed with. */
export async function createBenchFeed(
  trx: Transaction<Database>,
  secretsKey: Buffer,
  merchantId: string,
  name: string,
) {
  const c = await createConnection(
    trx,
    systemContext(merchantId),
    secretsKey,
    { source: 'carriers', provider: 'generic', name },
    new Date(),
  )
  return { connection: c.connection, secret: c.secret! }
}
