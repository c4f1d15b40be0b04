import type { CaseSummary } from '../api/types'

/** A case's priority, as the API's enum has it. */
export type Priority = CaseSummary['priority']

// Most urgent first: the order pickers, menus and filters list them in. `satisfies` fails the build when the API
// gains or drops a priority.
const priorityInfo = {
  urgent: { label: 'Urgent', color: 'red' },
  high: { label: 'High', color: 'orange' },
  normal: { label: 'Normal', color: 'blue' },
  low: { label: 'Low', color: 'gray' },
} as const satisfies Record<Priority, { label: string; color: string }>

export const priorities = Object.keys(priorityInfo) as Priority[]
export const priorityLabel = (p: Priority) => priorityInfo[p].label
export const priorityColor = (p: Priority) => priorityInfo[p].color
export const priorityOptions = priorities.map((p) => ({ value: p, label: priorityLabel(p) }))
