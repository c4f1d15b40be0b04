import type { Db } from '../server/src/db/database.js'
import { createDb, createPool } from '../server/src/db/database.js'
import type { Runtime } from '../server/src/runtime.js'

/**
 * The embedded cluster's superuser, for what the server's role may not do: CHECKPOINT, pg_ls_waldir(),
 * VACUUM of tables it does not own. Destroy it before the runtime closes.
 */
export function ownerDb(runtime: Runtime): Db {
  if (!runtime.embedded) throw new Error('benchmarks run on the embedded database')
  return createDb(createPool(runtime.embedded.url('postgres'), 1))
}
