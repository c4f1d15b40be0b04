import type { CliCommand } from '../modules.js'
import { purgeEverything } from './service/platform.js'
import type { RunSummary } from './service/purge.js'

type Options = { dryRun?: boolean; workspace?: string }

const line = (r: RunSummary, dry: boolean) =>
  `${r.kind}: ${dry ? 'would remove' : 'removed'} ${r.removed}` +
  (r.held ? `, kept ${r.held} under legal hold` : '') +
  (r.error ? ` (failed: ${r.error})` : '')

export const purgeCli: CliCommand = (program, { withContext, resolveWorkspace, out }) => {
  program
    .command('purge')
    .description('Purge what retention allows: the platform tables, then every workspace by its retention policies')
    .option('--dry-run', 'count what would go, write nothing')
    .option('--workspace <slug>', "only this workspace's policies (the platform tables are purged all the same)")
    .action(async (o: Options) => {
      await withContext(async (ctx) => {
        const merchantId = o.workspace ? await resolveWorkspace(ctx, o.workspace) : undefined
        const dryRun = o.dryRun === true
        const result = await purgeEverything(ctx, new Date(), { dryRun, merchantId })
        for (const r of result.platform) out(line(r, dryRun))
        for (const w of result.workspaces) for (const r of w.runs) out(`${w.merchant_id} ${line(r, dryRun)}`)
      })
    })
}
