import { purgeCredentials } from './auth/service.js'
import { idempotencyTtlMs } from './http/idempotency.js'
import { deleteIdempotencyKeysBefore } from './http/idempotency-store.js'
import type { Module } from './modules.js'

// Housekeeping of platform tables that only grow: expired sessions, old login attempts and idempotency keys. The
// tables that grow with traffic (outbox, webhook bodies, counters, request limits) are retention's (retention/).
export const maintenance: Module = {
  name: 'maintenance',
  cron: ['17 * * * * maintenance:purge'],
  tasks: {
    'maintenance:purge': async (_payload, ctx) => {
      const now = new Date()
      await purgeCredentials(ctx.db, now)
      await deleteIdempotencyKeysBefore(ctx.db, new Date(now.getTime() - idempotencyTtlMs))
    },
  },
}
