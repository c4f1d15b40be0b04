import type { Transaction } from 'kysely'
import { recordAudit, type AuditInput } from '../../audit/service.js'
import { auditActor, type ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'

/** An audit entry for what a service did for `ctx`: the workspace, the actor and the request come from it. */
export function recordAuditFor(
  trx: Transaction<Database>,
  ctx: ServiceContext,
  entry: Omit<AuditInput, 'merchantId' | 'actor' | 'requestId'>,
  now: Date,
): Promise<string> {
  return recordAudit(
    trx,
    { merchantId: ctx.merchantId, actor: auditActor(ctx.actor), ...entry, requestId: ctx.requestId },
    now,
  )
}
