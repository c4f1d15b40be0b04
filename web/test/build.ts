import { pino } from 'pino'
import { ensureConsoleBuilt } from '../../server/src/http/console.js'

/** The console bundle, built once per run (skipped when web/dist is newer than its sources). */
export default async function setup() {
  await ensureConsoleBuilt(pino({ level: 'warn' }))
}
