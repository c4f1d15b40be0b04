import { setSlaTarget } from '../../sla/clocks/service.js'
import { defineAction, done, targetCase } from './outcome.js'

/** setSlaTarget, as PUT /cases/{id}/sla/{target}: the running episode's minutes change, its time spent kept. */
export const setSla = defineAction('set_sla', async (run, args) => {
  const t = await targetCase(run)
  if ('skip' in t) return t.skip
  const terms = { minutes: args.minutes, business: args.business }
  await setSlaTarget(run.trx, run.ctx, t.row.id, args.target, terms, run.now)
  return done(
    t.row.id,
    `${args.target.replace(/_/g, ' ')} target ${args.minutes} ${args.business ? 'business ' : ''}minutes`,
    {
      target: args.target,
      ...terms,
    },
  )
})
