import { InvalidArgumentError } from 'commander'
import { systemContext } from '../auth/actor.js'
import type { CliCommand } from '../modules.js'
import { isUuid } from '../ids.js'
import * as service from './service.js'

type Options = { workspace?: string; status: string; connection?: string; id?: string }

export const replayWebhooksCli: CliCommand = (program, { withContext, resolveWorkspace, out }) => {
  program
    .command('replay-webhooks')
    .description('Queue inbound webhook deliveries for processing again (dead ones by default)')
    .option('--workspace <slug>', 'needed when there are several workspaces')
    .option('--status <status>', 'dead or failed', 'dead')
    .option('--connection <id>', 'only deliveries of this connection')
    .option('--id <delivery id>', 'just this delivery, whatever its status')
    .action(async (o: Options) => {
      if (o.status !== 'dead' && o.status !== 'failed')
        throw new InvalidArgumentError('--status must be dead or failed')
      if (o.connection && !isUuid(o.connection)) throw new InvalidArgumentError('--connection must be a connection id')
      if (o.id && !isUuid(o.id)) throw new InvalidArgumentError('--id must be a delivery id')
      const status = o.status
      await withContext(async (ctx) => {
        const merchantId = await resolveWorkspace(ctx, o.workspace)
        const system = systemContext(merchantId, 'cli')
        const now = new Date()
        const count = await ctx.db.transaction().execute(async (trx) => {
          if (!o.id) return service.replayDeliveries(trx, system, { status, connectionId: o.connection }, now)
          await service.replayDelivery(trx, system, o.id, now)
          return 1
        })
        out(`re-queued ${count} webhook ${count === 1 ? 'delivery' : 'deliveries'}`)
      })
    })
}
