import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { generateApiTypes, typesFile } from './api-types.js'

describe("the console's API types", () => {
  it('are generated from the current OpenAPI document (run `npm run web:api` after changing a route)', async () => {
    expect(readFileSync(typesFile, 'utf8') === (await generateApiTypes())).toBe(true)
  })
})
