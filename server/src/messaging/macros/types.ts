import type { MacroAction } from '../tables.js'
import type { MacroRow } from './store.js'

export type Macro = {
  id: string
  name: string
  template_id: string | null
  actions: MacroAction[]
  archived_at: Date | null
  created_at: Date
  updated_at: Date
}

export const toMacro = (r: MacroRow): Macro => ({
  id: r.id,
  name: r.name,
  template_id: r.template_id,
  actions: r.actions,
  archived_at: r.archived_at,
  created_at: r.created_at,
  updated_at: r.updated_at,
})
