import { listFollowers, notifyUsers } from '../../cases/service.js'
import { caseNumber } from '../../cases/types.js'
import { getTeam } from '../../teams/service.js'
import type { ActionRun, NotifyTarget } from '../types.js'
import { type CaseRow, defineAction, done, notificationCause, type Result, skipped, targetCase } from './outcome.js'

type Recipients = { userIds: string[] } | { skip: Result }

/** The lead of a team: who escalations and alerts to a team reach first. */
export async function teamLead(run: ActionRun, teamId: string | null): Promise<Recipients> {
  if (!teamId) return { skip: skipped('the case has no team', run.target.caseId) }
  const team = await getTeam(run.trx, run.ctx.merchantId, teamId)
  if (!team.lead_user_id) return { skip: skipped(`${team.name} has no team lead`, run.target.caseId) }
  return { userIds: [team.lead_user_id] }
}

async function recipients(run: ActionRun, to: NotifyTarget, row: CaseRow | null): Promise<Recipients> {
  if (to.kind === 'user') return { userIds: [to.user_id] }
  if (to.kind === 'team') {
    const team = await getTeam(run.trx, run.ctx.merchantId, to.team_id)
    return { userIds: [...(team.lead_user_id ? [team.lead_user_id] : []), ...team.member_ids] }
  }
  if (!row) return { skip: skipped('no case') }
  if (to.kind === 'team_lead') return teamLead(run, row.team_id)
  if (to.kind === 'assignee')
    return row.assignee_id ? { userIds: [row.assignee_id] } : { skip: skipped('the case has no assignee', row.id) }
  return { userIds: await listFollowers(run.trx, run.ctx.merchantId, row.id) }
}

/** What the notification says when the rule gives no message: the case, or what happened (no case). */
function title(run: ActionRun, row: CaseRow | null): string {
  const f = run.facts
  if (row) return `${caseNumber(row.number)}: rule "${run.rule.name}" (${row.subject})`
  if (f.connection_status) return `${f.connection_provider ?? 'A'} connection is ${f.connection_status}`
  return `Rule "${run.rule.name}": ${f.event}`
}

/** In-app notifications (and digests), once per recipient and trigger occurrence. */
export async function notifyFor(run: ActionRun, userIds: string[], row: CaseRow | null, message?: string) {
  return notifyUsers(
    run.trx,
    run.ctx.merchantId,
    userIds,
    {
      caseId: row?.id ?? null,
      cause: notificationCause(run),
      title: message ? `${row ? `${caseNumber(row.number)}: ` : ''}${message}` : title(run, row),
      body: message ? '' : `Rule "${run.rule.name}", version ${run.rule.version}`,
    },
    run.now,
  )
}

export const notify = defineAction('notify', async (run, args) => {
  let row: CaseRow | null = null
  if (run.target.caseId) {
    const t = await targetCase(run, { resolved: true })
    if ('skip' in t) return t.skip
    row = t.row
  }
  const r = await recipients(run, args.to, row)
  if ('skip' in r) return r.skip
  const userIds = [...new Set(r.userIds)]
  if (!userIds.length) return skipped(`nobody to notify (${args.to.kind.replace(/_/g, ' ')})`, row?.id)
  const sent = await notifyFor(run, userIds, row, args.message)
  return done(row?.id ?? null, `notified ${sent.length} of ${userIds.length}`, {
    user_ids: userIds,
    notification_ids: sent.map((n) => n.id),
  })
})
