import { listCaseClocks, setSlaTarget } from '../../sla/clocks/service.js'
import type { ActionArgs, ActionRun } from '../types.js'
import { defineAction, done, skipped, targetCase } from './outcome.js'

/** Whether the target's running episode has these terms already (a rule reaching the case again changes nothing). */
async function runsAlready(run: ActionRun, caseId: string, args: ActionArgs['set_sla']) {
  const clocks = await listCaseClocks(run.trx, run.ctx.merchantId, caseId)
  const c = clocks.filter((k) => k.target === args.target).sort((a, b) => b.episode - a.episode)[0]
  return !!c && c.state !== 'met' && c.minutes === args.minutes && (c.calendar_id !== null) === args.business
}

/** setSlaTarget, as PUT /cases/{id}/sla/{target}: the running episode's minutes change, its time spent kept. */
export const setSla = defineAction('set_sla', async (run, args) => {
  const t = await targetCase(run)
  if ('skip' in t) return t.skip
  const terms = { minutes: args.minutes, business: args.business }
  const words = `${args.target.replace(/_/g, ' ')} target ${args.minutes} ${args.business ? 'business ' : ''}minutes`
  if (await runsAlready(run, t.row.id, args)) return skipped(`the ${words} run already`, t.row.id)
  await setSlaTarget(run.trx, run.ctx, t.row.id, args.target, terms, run.now)
  return done(t.row.id, words, { target: args.target, ...terms })
})
