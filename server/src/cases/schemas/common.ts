import { Type } from 'typebox'
import { Uuid } from '../../http/schemas.js'
import { caseStatuses, priorities, resolutionCodes, rootCauses } from '../tables.js'

// The building blocks every cases schema shares.

export const NullableString = Type.Union([Type.String(), Type.Null()])
export const Text = (max: number) => Type.String({ minLength: 1, maxLength: max })
export const Key = Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' })
export const Status = Type.Enum([...caseStatuses])
export const PriorityT = Type.Enum([...priorities])
export const Resolution = Type.Enum([...resolutionCodes])
export const RootCauseT = Type.Enum([...rootCauses])
export const Tag = Type.String({ pattern: '^[^\\s,]{1,50}$' })
export const MoneyT = Type.Object(
  {
    amount_minor: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  },
  { additionalProperties: false },
)
export const NullableMoney = Type.Union([MoneyT, Type.Null()])

/** A record to link, as the API names it. */
export const EntityRef = Type.Object({ entity_type: Key, entity_id: Uuid }, { additionalProperties: false })

export const IdParams = Type.Object({ id: Uuid })
export const NoContent = Type.Null()
