import type { ServiceContext } from '../../auth/actor.js'
import type { AppContext } from '../../context.js'

/**
 * The context the evidence functions take: the service context (workspace, actor, request) and the process's
 * facilities, since an upload streams into the file store before its transaction opens.
 */
export type EvidenceContext = ServiceContext & { app: Pick<AppContext, 'db' | 'blobs' | 'config'>; now?: Date }

export const evidenceContext = (
  app: Pick<AppContext, 'db' | 'blobs' | 'config'>,
  ctx: ServiceContext,
  now?: Date,
): EvidenceContext => ({ ...ctx, app, ...(now && { now }) })

export const nowOf = (ctx: EvidenceContext) => ctx.now ?? new Date()
