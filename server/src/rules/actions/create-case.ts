import {
  type CarrierSignal,
  openCase,
  openOrUpdateShipmentCase,
  priorities,
  statusSignal,
  updateCase,
} from '../../cases/service.js'
import { caseNumber } from '../../cases/types.js'
import type { ActionRun } from '../types.js'
import { defineAction, done, oneOf, skipped } from './outcome.js'

/**
 * The signal as it lands on the case. A status change is the exception policy's own entry, keyed by the event id,
 * so the policy and a rule hearing the same event meet on one case and one entry, whichever comes first.
 */
function signalOf(run: ActionRun): CarrierSignal {
  if (run.event?.type === 'shipment.status_changed') return statusSignal(run.event)
  const f = run.facts
  return {
    key: run.event?.id ?? run.triggerKey,
    data: { event: f.event, status: f.carrier_event, carrier: f.carrier, rule_id: run.rule.id },
    text: `${f.carrier ?? 'Carrier'}: ${(f.carrier_event ?? f.event).replace(/[_.]/g, ' ')}`,
    at: run.now,
  }
}

const fromShipment = (run: ActionRun) => !run.event || run.event.type.startsWith('shipment.')

/**
 * Opens a case of the type about the event's shipment (or its order, or customer). An unresolved case of the type
 * for the shipment is updated instead: the exception policy may have opened it for the same signal.
 */
export const createCase = defineAction('create_case', async (run, args) => {
  const priority = args.priority === undefined ? undefined : oneOf(priorities, args.priority, 'priority')
  const { trx, ctx, now, target } = run
  if (target.shipmentId) {
    const input = {
      caseType: args.case_type,
      priority,
      subject: args.subject,
      source: 'rule',
      channel: fromShipment(run) ? 'carrier' : 'api',
    }
    const r = await openOrUpdateShipmentCase(trx, ctx, target.shipmentId, input, signalOf(run), now)
    if (!r.case) return skipped('the case this signal opened is resolved')
    target.caseId = r.case.id
    const number = caseNumber(r.case.number)
    if (r.outcome === 'opened') return done(r.case.id, `opened ${number}`, { outcome: 'opened', number })
    if (priority && r.case.priority !== priority) await updateCase(trx, ctx, r.case.id, { priority }, now)
    return done(r.case.id, `${number} was open already: ${r.outcome === 'updated' ? 'updated' : 'unchanged'}`, {
      outcome: r.outcome,
      number,
    })
  }
  if (!target.orderId && !target.customerId) return skipped('no shipment, order or customer to open a case about')
  const row = await openCase(
    trx,
    ctx,
    {
      caseType: args.case_type,
      priority,
      subject: args.subject,
      channel: 'api',
      source: 'rule',
      orderId: target.orderId,
      customerId: target.orderId ? undefined : target.customerId,
    },
    now,
  )
  target.caseId = row.id
  const number = caseNumber(row.number)
  return done(row.id, `opened ${number}`, { outcome: 'opened', number })
})
