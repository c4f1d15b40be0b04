import type { DryRun } from '../types.js'

// Stand-in until the engine lands: reports an empty scan of the range.
export const dryRunRule: DryRun = async (_app, _merchantId, _compiled, range) => ({
  from: range.from.toISOString(),
  to: range.to.toISOString(),
  events_scanned: 0,
  evaluations: 0,
  matched: 0,
  cases_opened: 0,
  cases_changed: 0,
  actions: {},
  truncated: false,
  samples: [],
})
