import { caseStatuses, type CaseStatus } from '../cases/types.js'
import type { AppContext } from '../context.js'
import { runDueJobs } from '../jobs/worker.js'
import { modules } from '../registry.js'
import { listAllCases, workCases } from './casework.js'
import { as } from './plan-case.js'
import { breachOne, dueSoon } from './sla.js'
import { seedDemoSurveys } from './csat.js'
import { generateContacts, loadRecords } from './contacts.js'
import { replayHistory } from './history.js'
import type { Staff } from './staff.js'
import { carrierJourneys } from './tracking.js'
import { seedPhoneConversations } from './phone.js'
import { seedSideConversation } from './side-conversations.js'
import { type DemoEvidence, seedDemoEvidence } from './evidence.js'

export type DemoCases = {
  total: number
  byStatus: Record<CaseStatus, number>
  fromPolicy: number
  byHand: number
  merged: number
  followUps: number
  /** Cases by their SLA state (the worst of their targets), and the open ones set to fall due soon */
  sla: Record<'active' | 'paused' | 'met' | 'breached', number> & { dueSoon: number }
  /** Satisfaction surveys sent about resolved cases, and those answered */
  csat: { sent: number; answered: number }
  /** Photos, proofs of delivery and invoices on damaged, lost and customs cases, and one open request for photos */
  evidence: DemoEvidence
}

/**
 * Northwind's last weeks of carrier tracking and its cases: the exception policy's from the carrier
 * signals, the customers' logged by hand, and the agents' work on both, each at the time it happened.
 * The outbox consumers and due jobs then run to completion, so all is there before a worker starts.
 */
export async function seedCases(
  ctx: AppContext,
  merchantId: string,
  input: { staff: Staff; feed: { id: string; secret: string } },
  now: Date,
  concurrency = 1,
): Promise<{ webhooks: number; cases: DemoCases }> {
  const journeys = await carrierJourneys(ctx, merchantId, now)
  const records = await loadRecords(ctx, merchantId, journeys)
  const contacts = generateContacts(records, now)
  const { opened, webhooks } = await replayHistory(ctx, merchantId, { ...input, journeys, contacts }, now)
  await workCases(
    ctx,
    merchantId,
    { staff: input.staff, contacts, opened, deliveredAt: records.deliveredAt, concurrency },
    now,
  )
  // Before the events are read: each survey goes out at its case's resolution, not when the demo runs.
  const all = await listAllCases(ctx, merchantId, now)
  const csat = await seedDemoSurveys(ctx, merchantId, all, now)
  await runDueJobs(ctx, modules, { concurrency })
  const manager = as(merchantId, input.staff.manager)
  const soon = await dueSoon(ctx, merchantId, manager, now)
  await breachOne(ctx, merchantId, manager, now, soon)
  const listed = await listAllCases(ctx, merchantId, now)
  await seedSideConversation(ctx, merchantId, input.staff, listed, now)
  await seedPhoneConversations(ctx, merchantId, input.staff, listed, now)
  const evidence = await seedDemoEvidence(ctx, merchantId, input.staff, listed, now)
  await runDueJobs(ctx, modules, { concurrency })
  const cases = await listAllCases(ctx, merchantId, now)
  const sla = (s: string) => cases.filter((c) => c.sla_state === s).length
  const byStatus = Object.fromEntries(
    caseStatuses.map((s) => [s, cases.filter((c) => c.status === s).length]),
  ) as Record<CaseStatus, number>
  return {
    webhooks,
    cases: {
      total: cases.length,
      byStatus,
      fromPolicy: cases.filter((c) => c.source === 'exception_policy').length,
      byHand: cases.filter((c) => c.source === 'manual').length,
      merged: cases.filter((c) => c.merged_into_id).length,
      followUps: cases.filter((c) => c.follow_up_of_id).length,
      sla: {
        active: sla('active'),
        paused: sla('paused'),
        met: sla('met'),
        breached: sla('breached'),
        dueSoon: soon.length,
      },
      csat,
      evidence,
    },
  }
}
