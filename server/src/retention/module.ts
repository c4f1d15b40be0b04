import { useErasureGuards } from '../customers/service.js'
import { useBlobHolds } from '../files/index.js'
import type { Module } from '../modules.js'
import { purgeCli } from './cli.js'
import { retentionRoutes } from './routes.js'
import { purgeEverything } from './service/platform.js'
import { holdsGuardErasure } from './service/erasure.js'
import { holdTimeline } from './service/holds.js'
import { customerDataPurger } from './service/purge-customers.js'
import { usePurgers } from './service/purge.js'

/** Legal holds, retention policies and the scheduled purge (issue 24). */
export const retention: Module = {
  name: 'retention',
  routes: retentionRoutes,
  timeline: holdTimeline,
  unsearchedTimeline: holdTimeline,
  purgers: [customerDataPurger],
  cli: purgeCli,
  // Hourly, in batches: a year of traffic is taken in small steps, never in one long lock.
  cron: ['41 * * * * retention:purge'],
  tasks: {
    'retention:purge': async (_payload, ctx) => {
      await purgeEverything(ctx, new Date())
    },
  },
  // Every module's purgers and file checks, and the hold check on every customer's erasure.
  setup: (modules) => {
    usePurgers(modules.flatMap((m) => m.purgers ?? []))
    useBlobHolds(modules.flatMap((m) => (m.blobHolds ? [m.blobHolds] : [])))
    useErasureGuards([holdsGuardErasure])
  },
}
