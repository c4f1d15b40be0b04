import { readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { trackingStatuses } from './model.js'
import { carrierProviders } from './service.js'

// MAPPINGS.md is the documented mapping table of every provider, rendered from the tables the code
// uses, so the two cannot drift. After changing a table: UPDATE_MAPPINGS=1 npx vitest run server/src/carriers/mappings-doc.test.ts

const file = new URL('./MAPPINGS.md', import.meta.url)

function render(): string {
  const lines = [
    '# Carrier status mappings',
    '',
    "Generated from the providers' tables by `mappings-doc.test.ts`; do not edit by hand. The providers' published",
    'status lists, with their sources, are in `fixtures/STATUS-LISTS.md`.',
    '',
    `Canonical statuses: ${trackingStatuses.map((s) => `\`${s}\``).join(', ')}.`,
    '',
    'The status recorded for a parcel is the status of its newest event by event time (ties: the status further along).',
    "When a payload's own summary disagrees with its newest event about whether the journey is over, the result is",
    'low confidence and carries review reasons; nothing acts on it by itself.',
  ]
  for (const p of carrierProviders()) {
    lines.push(
      '',
      `## ${p.label} (\`${p.provider}\`)`,
      '',
      '| provider status | provider sub-status | canonical | note |',
      '|---|---|---|---|',
    )
    for (const r of p.statusTable)
      lines.push(`| ${r.provider_status} | ${r.provider_sub_status ?? ''} | \`${r.status}\` | ${r.note ?? ''} |`)
  }
  return `${lines.join('\n')}\n`
}

describe('MAPPINGS.md', () => {
  it('is the mapping tables the code uses', () => {
    if (process.env.UPDATE_MAPPINGS) writeFileSync(file, render())
    expect(readFileSync(file, 'utf8')).toBe(render())
  })
})
