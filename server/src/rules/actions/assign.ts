import { assignCase, autoAssignCase, escalateCase } from '../../cases/service.js'
import { caseNumber } from '../../cases/types.js'
import { getTeam } from '../../teams/service.js'
import { defineAction, done, skipped, targetCase } from './outcome.js'
import { notifyFor, teamLead } from './notify.js'

/** assignCase for a person; autoAssignCase (the routing strategies) for a team or the case's own team. */
export const assign = defineAction('assign', async (run, args) => {
  const t = await targetCase(run)
  if ('skip' in t) return t.skip
  const how = `rule:${run.rule.name}`
  if ('user_id' in args) {
    if (t.row.assignee_id === args.user_id) return skipped('assigned to them already', t.row.id)
    await assignCase(run.trx, run.ctx, t.row.id, { assigneeId: args.user_id, how }, run.now)
    return done(t.row.id, 'assigned', { assignee_id: args.user_id, team_id: t.row.team_id })
  }
  const teamId = 'team_id' in args ? args.team_id : undefined
  const r = await autoAssignCase(run.trx, run.ctx, t.row.id, { teamId, strategy: args.strategy }, run.now)
  const result = { assignee_id: r.case.assignee_id, team_id: r.case.team_id, strategy: args.strategy }
  if (r.case.assignee_id === t.row.assignee_id && r.case.team_id === t.row.team_id)
    return skipped(r.assigned ? 'assigned so already' : 'nobody in the team is available', t.row.id, result)
  return done(t.row.id, r.assigned ? 'assigned' : 'moved to the team (nobody available)', result)
})

/**
 * escalateCase, as an SLA step does; with a team, the case moves to it (its assignee stays if a member) and the
 * team's lead hears of it.
 */
export const escalate = defineAction('escalate', async (run, args) => {
  const t = await targetCase(run)
  if ('skip' in t) return t.skip
  const reason = args.reason ?? `rule: ${run.rule.name}`
  const after = await escalateCase(run.trx, run.ctx, t.row.id, { reason }, run.now)
  const result: Record<string, unknown> = { level: after.escalation_level }
  const teamId = args.team_id ?? after.team_id
  if (args.team_id && args.team_id !== after.team_id) {
    const team = await getTeam(run.trx, run.ctx.merchantId, args.team_id)
    const keep = after.assignee_id && team.member_ids.includes(after.assignee_id) ? after.assignee_id : null
    await assignCase(run.trx, run.ctx, after.id, { assigneeId: keep, teamId: team.id, how: 'escalation' }, run.now)
    result.team_id = team.id
  }
  const lead = await teamLead(run, teamId)
  if ('userIds' in lead) {
    const message = `escalated to level ${after.escalation_level}: ${reason}`
    const sent = await notifyFor(run, lead.userIds, after, message)
    result.notified = lead.userIds
    result.notification_ids = sent.map((n) => n.id)
  } else result.not_notified = lead.skip.detail
  return done(after.id, `${caseNumber(after.number)} escalated to level ${after.escalation_level}`, result)
})
