import { updateCase } from '../../cases/service.js'
import type { ActionHandler, ActionName } from '../types.js'

// Stand-in until the actions land: add_tag acts; the rest say they were skipped.
const skipped: ActionHandler = async (_run, _args) => ({
  action: 'notify',
  text: '',
  status: 'skipped',
  detail: 'stand-in',
})

export const actionHandlers: { [N in ActionName]: ActionHandler<N> } = {
  create_case: skipped,
  update_case: skipped,
  set_sla: skipped,
  set_priority: skipped,
  assign: skipped,
  notify: skipped,
  add_tag: async (run, args) => {
    if (!run.target.caseId) return { action: 'add_tag', text: '', status: 'skipped', detail: 'no case' }
    await updateCase(run.trx, run.ctx, run.target.caseId, { addTags: [args.tag] }, run.now)
    return { action: 'add_tag', text: '', status: 'done', case_id: run.target.caseId }
  },
  remove_tag: skipped,
  send_template: skipped,
  request_attachment: skipped,
  escalate: skipped,
  set_status: skipped,
  set_root_cause: skipped,
  link_order: skipped,
  check_evidence: skipped,
}
