import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { modules } from '../registry.js'
import { catalogueFile, renderEventCatalogue } from './catalogue.js'

describe('docs/events.md', () => {
  it('is the catalogue the modules declare', () => {
    expect(readFileSync(catalogueFile, 'utf8'), 'docs/events.md is out of date: run `npm run events:doc`').toBe(
      renderEventCatalogue(modules),
    )
  })

  it('refuses an event declared by two modules', () => {
    const twice = modules.filter((m) => m.name === 'cases')
    expect(() => renderEventCatalogue([...twice, ...twice])).toThrow('Event case.opened is declared twice')
  })
})
