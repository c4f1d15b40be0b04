import { sql } from 'kysely'
import type { DomainEvent } from '../../jobs/events.js'
import type { ActionName, DryRun, DryRunReport } from '../types.js'
import { buildFacts } from './facts.js'
import { subjectsOf } from './handle.js'
import type { LoadedRule } from './rule-set.js'
import { evaluateRule } from './run.js'
import { eventTypesOf, triggerOf } from './triggers.js'

const defaultLimit = 5000
const maxSamples = 50

/**
 * A draft rule over the workspace's stored events in a range, in a read-only transaction: which it would have
 * matched, on which cases, doing what. Events are judged with the records as they stand now (the cases a shipment
 * has today); clock triggers (SLA thresholds, carrier silences) are not replayed.
 */
export const dryRunRule: DryRun = async (app, merchantId, compiled, range) =>
  app.db.transaction().execute(async (trx) => {
    await sql`set transaction read only`.execute(trx)
    const limit = range.limit ?? defaultLimit
    const types = [...new Set(compiled.triggers.flatMap(eventTypesOf))]
    const rows = types.length
      ? await trx
          .selectFrom('outbox')
          .selectAll()
          .where('merchant_id', '=', merchantId)
          .where('type', 'in', types)
          .where('occurred_at', '>=', range.from)
          .where('occurred_at', '<', range.to)
          .orderBy('occurred_at')
          .orderBy('id')
          .limit(limit + 1)
          .execute()
      : []
    const report: DryRunReport = {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      events_scanned: Math.min(rows.length, limit),
      evaluations: 0,
      matched: 0,
      cases_opened: 0,
      cases_changed: 0,
      actions: {},
      truncated: rows.length > limit,
      samples: [],
    }
    const rule: LoadedRule = {
      id: '00000000-0000-0000-0000-000000000000',
      name: 'draft',
      version: 0,
      mode: 'shadow',
      priority: 0,
      stopProcessing: false,
      compiled,
      triggers: new Set(compiled.triggers),
    }
    const changed = new Set<string>()
    const creates = compiled.actions.find((a) => a.name === 'create_case')
    for (const row of rows.slice(0, limit)) {
      const event = { ...row, occurred_at: row.occurred_at.toISOString() } as unknown as DomainEvent
      const trigger = triggerOf(event)
      if (!trigger || !rule.triggers.has(trigger)) continue
      const now = row.occurred_at
      for (const s of await subjectsOf(trx, event)) {
        report.evaluations++
        const facts = await buildFacts(trx, merchantId, {
          event,
          caseId: s.target.caseId,
          shipmentId: s.target.shipmentId,
          now,
        })
        const { matched, seen } = await evaluateRule(trx, merchantId, rule, facts, now)
        if (!matched) continue
        report.matched++
        for (const a of compiled.actions) report.actions[a.name as ActionName] = (report.actions[a.name] ?? 0) + 1
        // create_case on a shipment with no unresolved case of its type opens one; otherwise it acts on that case.
        const opens = creates && (!s.target.caseId || facts.case_type !== creates.args.case_type)
        if (opens) report.cases_opened++
        if (s.target.caseId && !opens) changed.add(s.target.caseId)
        if (report.samples.length < maxSamples)
          report.samples.push({
            event_id: event.id,
            event_type: event.type,
            occurred_at: event.occurred_at,
            case_id: s.target.caseId,
            shipment_id: s.target.shipmentId,
            conditions: seen,
            actions: compiled.actions.map((a) => ({ action: a.name, text: a.text, status: 'would' as const })),
          })
      }
    }
    report.cases_changed = changed.size
    return report
  })
