import type { Transaction } from 'kysely'
import { recordAudit, type AuditInput } from './audit/service.js'
import { auditActor, type ServiceContext } from './auth/actor.js'
import type { Database } from './db/schema.js'
import type { DomainEvents, EventType, NewEvent } from './jobs/events.js'
import { enqueueEvent } from './jobs/outbox.js'

// What a service writes when it changes a record for someone: the audit entry (who acted, under which request)
// and, when the change is announced, the domain event its action names; both in the service's transaction.

/** An audit entry without what the service context already says. */
export type Change = Omit<AuditInput, 'merchantId' | 'actor' | 'requestId'>

/** An audit entry for what a service did for `ctx`: the workspace, the actor and the request come from it. */
export function recordAuditFor(
  trx: Transaction<Database>,
  ctx: ServiceContext,
  entry: Change,
  now: Date,
): Promise<string> {
  return recordAudit(
    trx,
    { merchantId: ctx.merchantId, actor: auditActor(ctx.actor), ...entry, requestId: ctx.requestId },
    now,
  )
}

/** Audits the change and announces it: the event's type is the change's action, its subject the changed entity. */
export async function recordChange<T extends EventType>(
  trx: Transaction<Database>,
  ctx: ServiceContext,
  change: Change & { action: T },
  data: DomainEvents[T],
  now: Date,
): Promise<void> {
  await recordAuditFor(trx, ctx, change, now)
  const event = {
    merchant_id: ctx.merchantId,
    type: change.action,
    subject_id: change.entityId,
    occurred_at: now,
    data,
  }
  // `type` and `data` agree by the signature; the union over every event type cannot see that.
  await enqueueEvent(trx, event as NewEvent)
}
