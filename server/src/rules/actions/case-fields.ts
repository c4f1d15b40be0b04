import { type CasePatch, caseStatuses, changeStatus, priorities, rootCauses, updateCase } from '../../cases/service.js'
import type { ActionRun } from '../types.js'
import { type CaseRow, defineAction, done, oneOf, type Result, skipped, targetCase } from './outcome.js'

/** The fields the patch changes on the case, by API name; an empty list changes nothing. */
function changedFields(row: CaseRow, p: CasePatch): string[] {
  const changed: string[] = []
  if (p.subject !== undefined && p.subject !== row.subject) changed.push('subject')
  if (p.priority !== undefined && p.priority !== row.priority) changed.push('priority')
  if (p.teamId !== undefined && p.teamId !== row.team_id) changed.push('team_id')
  if (p.rootCause !== undefined && p.rootCause !== row.root_cause) changed.push('root_cause')
  if (p.faultParty !== undefined && p.faultParty !== row.fault_party) changed.push('fault_party')
  if (p.addTags?.some((t) => !row.tags.includes(t))) changed.push('tags')
  if (p.removeTags?.some((t) => row.tags.includes(t))) changed.push('tags')
  return changed
}

/** updateCase, the PATCH /cases/{id} service, when the patch changes something. */
async function patchCase(run: ActionRun, patch: CasePatch): Promise<Result> {
  const t = await targetCase(run)
  if ('skip' in t) return t.skip
  const fields = changedFields(t.row, patch)
  if (!fields.length) return skipped('nothing to change', t.row.id)
  await updateCase(run.trx, run.ctx, t.row.id, patch, run.now)
  return done(t.row.id, `changed ${fields.join(', ')}`, { fields })
}

export const updateCaseAction = defineAction('update_case', (run, args) =>
  patchCase(run, {
    subject: args.subject,
    priority: args.priority === undefined ? undefined : oneOf(priorities, args.priority, 'priority'),
    teamId: args.team_id,
    rootCause: args.root_cause === undefined ? undefined : oneOf(rootCauses, args.root_cause, 'root_cause'),
    faultParty: args.fault_party,
  }),
)

export const setPriority = defineAction('set_priority', (run, args) =>
  patchCase(run, { priority: oneOf(priorities, args.priority, 'priority') }),
)

export const addTag = defineAction('add_tag', (run, args) => patchCase(run, { addTags: [args.tag] }))

export const removeTag = defineAction('remove_tag', (run, args) => patchCase(run, { removeTags: [args.tag] }))

export const setRootCause = defineAction('set_root_cause', (run, args) =>
  patchCase(run, { rootCause: oneOf(rootCauses, args.root_cause, 'root_cause'), faultParty: args.fault_party }),
)

/** changeStatus, as the API's status change; resolving needs a resolution code, which a rule cannot give. */
export const setStatus = defineAction('set_status', async (run, args) => {
  const status = oneOf(caseStatuses, args.status, 'status')
  const t = await targetCase(run, { resolved: true })
  if ('skip' in t) return t.skip
  if (t.row.status === status) return skipped(`the case is ${status} already`, t.row.id)
  if (status === 'resolved')
    return {
      status: 'failed',
      detail: 'Resolving a case needs a resolution code, which set_status cannot give',
      case_id: t.row.id,
      result: { code: 'resolution_required' },
    }
  const after = await changeStatus(run.trx, run.ctx, t.row.id, { status, reason: `rule: ${run.rule.name}` }, run.now)
  return done(after.id, `${t.row.status} → ${after.status}`, { from: t.row.status, to: after.status })
})
