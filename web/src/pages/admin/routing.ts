import type { CaseSettings, SettingsBody } from './policy'

type RoutingRule = CaseSettings['routing'][number]
export type Strategy = RoutingRule['strategy']
type Priority = NonNullable<RoutingRule['when']['priorities']>[number]

/** One routing rule as the editor holds it: every condition a list, empty meaning "any". */
export type RouteRow = {
  name: string
  case_types: string[]
  carriers: string[]
  fulfilment_centres: string[]
  product_categories: string[]
  priorities: Priority[]
  team_id: string | null
  strategy: Strategy
}

export const strategyLabels: Record<Strategy, string> = {
  round_robin: 'Round robin: whoever waited longest',
  least_loaded: 'Least loaded: fewest open cases',
  team_only: 'Team only: leave unassigned',
}

const conditions = ['case_types', 'carriers', 'fulfilment_centres', 'product_categories', 'priorities'] as const
// The API's bounds (server/src/cases/schemas/case-settings.ts RoutingRuleT).
const maxRules = 100
const maxItems: Record<(typeof conditions)[number], number> = {
  case_types: 50,
  carriers: 50,
  fulfilment_centres: 50,
  product_categories: 50,
  priorities: 4,
}
const maxLength: Record<(typeof conditions)[number], number> = {
  case_types: 40,
  carriers: 40,
  fulfilment_centres: 100,
  product_categories: 100,
  priorities: 10,
}

export const toRouteRows = (rules: RoutingRule[]): RouteRow[] =>
  rules.map((r) => ({
    name: r.name,
    team_id: r.team_id,
    strategy: r.strategy,
    case_types: r.when.case_types ?? [],
    carriers: r.when.carriers ?? [],
    fulfilment_centres: r.when.fulfilment_centres ?? [],
    product_categories: r.when.product_categories ?? [],
    priorities: r.when.priorities ?? [],
  }))

export const newRouteRow = (): RouteRow => ({
  name: '',
  case_types: [],
  carriers: [],
  fulfilment_centres: [],
  product_categories: [],
  priorities: [],
  team_id: null,
  strategy: 'round_robin',
})

/** The PUT /case-settings body for routing alone, or null with errors keyed as the API's are (`routing.0.team_id`). */
export function toRoutingBody(rows: RouteRow[]): { body: SettingsBody | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  if (rows.length > maxRules) errors.routing = `At most ${maxRules} rules`
  const routing = rows.map((r, i): RoutingRule => {
    const path = `routing.${i}`
    const name = r.name.trim()
    if (!name || name.length > 80) errors[`${path}.name`] = 'A name of 1 to 80 characters'
    if (!r.team_id) errors[`${path}.team_id`] = 'Choose the team'
    const when: RoutingRule['when'] = {}
    for (const c of conditions) {
      const list = r[c]
      if (list.length > maxItems[c]) errors[`${path}.when.${c}`] = `At most ${maxItems[c]}`
      else if (list.some((v) => !v.trim() || v.length > maxLength[c]))
        errors[`${path}.when.${c}`] = `Each at most ${maxLength[c]} characters`
    }
    // An empty list means "any", which the API expresses by leaving the condition out.
    if (r.case_types.length) when.case_types = r.case_types
    if (r.carriers.length) when.carriers = r.carriers
    if (r.fulfilment_centres.length) when.fulfilment_centres = r.fulfilment_centres
    if (r.product_categories.length) when.product_categories = r.product_categories
    if (r.priorities.length) when.priorities = r.priorities
    return { name, when, team_id: r.team_id ?? '', strategy: r.strategy }
  })
  return Object.keys(errors).length ? { body: null, errors } : { body: { routing }, errors }
}
