import { idempotencyTtlMs } from './http/idempotency.js'
import type { Module } from './modules.js'

// Housekeeping of platform tables that only grow: expired sessions, old login attempts and idempotency keys.
export const maintenance: Module = {
  name: 'maintenance',
  cron: ['17 * * * * maintenance:purge'],
  tasks: {
    'maintenance:purge': async (_payload, ctx) => {
      const now = Date.now()
      await ctx.db
        .deleteFrom('login_attempts')
        .where('at', '<', new Date(now - 24 * 3600_000))
        .execute()
      await ctx.db
        .deleteFrom('idempotency_keys')
        .where('created_at', '<', new Date(now - idempotencyTtlMs))
        .execute()
      await ctx.db
        .deleteFrom('sessions')
        .where('expires_at', '<', new Date(now - 7 * 24 * 3600_000))
        .execute()
    },
  },
}
