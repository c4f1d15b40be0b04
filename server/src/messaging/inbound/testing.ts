import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import { recordMessage } from '../service.js'

// For tests and the bench: an email we sent on a case (so its reply address and Message-ID are known).

export function recordSentEmail(
  trx: Transaction<Database>,
  ctx: ServiceContext,
  caseId: string,
  opts: { messageIdHeader: string; to: string; from: string; subject?: string },
) {
  return recordMessage(
    trx,
    ctx,
    {
      caseId,
      direction: 'out',
      channel: 'email',
      visibility: 'public',
      status: 'sent',
      authorType: 'agent',
      from: { address: opts.from },
      to: [{ address: opts.to }],
      cc: [],
      subject: opts.subject ?? 'About your order',
      text: 'We are looking into it.',
      messageIdHeader: opts.messageIdHeader,
    },
    new Date(),
  )
}
