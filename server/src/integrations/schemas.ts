import { Type } from 'typebox'
import { defaultGraceSeconds, maxGraceSeconds } from './service.js'

/** How long a rotated-out secret still verifies; carrier connections rotate with the same bound. */
export const GraceSeconds = Type.Integer({
  minimum: 0,
  maximum: maxGraceSeconds,
  description: `How long the old secret still verifies (default ${defaultGraceSeconds})`,
})
