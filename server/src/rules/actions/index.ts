import type { ActionHandler, ActionName } from '../types.js'
import { assign, escalate } from './assign.js'
import { addTag, removeTag, setPriority, setRootCause, setStatus, updateCaseAction } from './case-fields.js'
import { createCase } from './create-case.js'
import { checkEvidenceAction, requestAttachment } from './evidence.js'
import { linkOrder } from './link-order.js'
import { notify } from './notify.js'
import { sendTemplate } from './send-template.js'
import { setSla } from './set-sla.js'

/** One handler per action; each calls the service function the API route calls. */
export const actionHandlers: { [N in ActionName]: ActionHandler<N> } = {
  create_case: createCase,
  update_case: updateCaseAction,
  set_sla: setSla,
  set_priority: setPriority,
  assign,
  notify,
  add_tag: addTag,
  remove_tag: removeTag,
  send_template: sendTemplate,
  request_attachment: requestAttachment,
  escalate,
  set_status: setStatus,
  set_root_cause: setRootCause,
  link_order: linkOrder,
  check_evidence: checkEvidenceAction,
}
