import type { Reply } from '../../api/client'
import { statusLabel } from '../../components/format'

export type Template = Reply<'/api/v1/message-templates', 'get'>['data'][number]
export type TemplateDetail = Reply<'/api/v1/message-templates/{id}', 'get'>
export type QaProblem = Reply<'/api/v1/message-templates/{id}/preview', 'post'>['problems'][number]
export type Macro = Reply<'/api/v1/macros', 'get'>['data'][number]
export type MacroAction =
  | { type: 'set_status'; status: string }
  | { type: 'add_tag'; tag: string }
  | { type: 'assign'; user_id: string | null }
  | { type: 'assign_team'; team_id: string }

/** Where a template's draft stands: not saved yet, changed since its newest version, or saved (and approved or not). */
export function draftState(t: Pick<Template, 'latest_version' | 'latest_approved' | 'draft_changed'>): {
  label: string
  color: string
} {
  if (t.latest_version === null) return { label: 'Not saved as a version yet', color: 'orange' }
  if (t.draft_changed) return { label: `Changed since v${t.latest_version}`, color: 'orange' }
  if (!t.latest_approved) return { label: `v${t.latest_version} awaiting approval`, color: 'yellow' }
  return { label: `Saved as v${t.latest_version}`, color: 'gray' }
}

/** The Liquid an editor inserts for a documented variable: a loop for a list, `line.x` inside one. */
export function liquidFor(name: string): string {
  if (name === 'order.lines') return '{% for line in order.lines %}{{ line.quantity }} × {{ line.name }}\n{% endfor %}'
  const item = /\[\]\.(\w+)$/.exec(name)
  return item ? `{{ line.${item[1]} }}` : `{{ ${name} }}`
}

/** `text` put in place of the selection [start, end) of `value`, and where the cursor goes after it. */
export function insertAt(value: string, start: number, end: number, text: string): { value: string; cursor: number } {
  return { value: value.slice(0, start) + text + value.slice(end), cursor: start + text.length }
}

/**
 * A macro's actions as a form holds them: one status, tags, an assignee ('none': no change; '': unassign) and a
 * team (null: no change).
 */
export type ActionForm = { status: string | null; tags: string[]; assign: string; team: string | null }

export function toActionForm(actions: MacroAction[]): ActionForm {
  const form: ActionForm = { status: null, tags: [], assign: 'none', team: null }
  for (const a of actions) {
    if (a.type === 'set_status') form.status = a.status
    if (a.type === 'add_tag') form.tags.push(a.tag)
    if (a.type === 'assign') form.assign = a.user_id ?? ''
    if (a.type === 'assign_team') form.team = a.team_id
  }
  return form
}

export function fromActionForm(form: ActionForm): MacroAction[] {
  return [
    ...(form.status ? [{ type: 'set_status' as const, status: form.status }] : []),
    ...form.tags.map((tag) => ({ type: 'add_tag' as const, tag })),
    ...(form.assign === 'none' ? [] : [{ type: 'assign' as const, user_id: form.assign || null }]),
    ...(form.team ? [{ type: 'assign_team' as const, team_id: form.team }] : []),
  ]
}

/** An action in words, for the macro list. */
export function actionText(
  a: MacroAction,
  personName: (id: string) => string,
  teamName: (id: string) => string,
): string {
  if (a.type === 'set_status') return `Set status: ${statusLabel(a.status)}`
  if (a.type === 'add_tag') return `Tag: ${a.tag}`
  if (a.type === 'assign_team') return `Team: ${teamName(a.team_id)}`
  return a.user_id ? `Assign to ${personName(a.user_id)}` : 'Unassign'
}
