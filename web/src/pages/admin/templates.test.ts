import { describe, expect, it } from 'vitest'
import {
  actionText,
  draftState,
  fromActionForm,
  insertAt,
  liquidFor,
  toActionForm,
  type MacroAction,
} from './templates'

describe('template admin helpers', () => {
  it("tells a draft's state against the newest version", () => {
    const state = (latest_version: number | null, draft_changed: boolean, latest_approved = false) =>
      draftState({ latest_version, draft_changed, latest_approved }).label
    expect(state(null, true)).toBe('Not saved as a version yet')
    expect(state(2, true, true)).toBe('Changed since v2')
    expect(state(2, false)).toBe('v2 awaiting approval')
    expect(state(2, false, true)).toBe('Saved as v2')
  })

  it('inserts Liquid for a variable at the cursor, a loop for the order lines', () => {
    expect(liquidFor('case.number')).toBe('{{ case.number }}')
    expect(liquidFor('order.lines[].sku')).toBe('{{ line.sku }}')
    expect(liquidFor('order.lines')).toMatch(/^{% for line in order.lines %}.*{% endfor %}$/s)
    expect(insertAt('Hi , bye', 3, 3, '{{ x }}')).toEqual({ value: 'Hi {{ x }}, bye', cursor: 10 })
    expect(insertAt('Hi NAME', 3, 7, '{{ x }}')).toEqual({ value: 'Hi {{ x }}', cursor: 10 })
  })

  it("round-trips a macro's actions through the form, and says them in words", () => {
    const actions: MacroAction[] = [
      { type: 'set_status', status: 'waiting_customer' },
      { type: 'add_tag', tag: 'photos' },
      { type: 'add_tag', tag: 'damage' },
      { type: 'assign', user_id: null },
      { type: 'assign_team', team_id: 't1' },
    ]
    expect(fromActionForm(toActionForm(actions))).toEqual(actions)
    expect(fromActionForm({ status: null, tags: [], assign: 'none', team: null })).toEqual([])
    expect(fromActionForm({ status: null, tags: [], assign: 'u1', team: null })).toEqual([
      { type: 'assign', user_id: 'u1' },
    ])
    const words = (a: MacroAction) =>
      actionText(
        a,
        () => 'Bob',
        () => 'Claims desk',
      )
    expect(actions.map(words)).toEqual([
      'Set status: Waiting on customer',
      'Tag: photos',
      'Tag: damage',
      'Unassign',
      'Team: Claims desk',
    ])
    expect(words({ type: 'assign', user_id: 'u1' })).toBe('Assign to Bob')
  })
})
