import { Type } from 'typebox'
import { Uuid } from '../../http/schemas.js'
import { LinkView } from './cases.js'
import { EntityRef, Key } from './common.js'

export const LinksBody = Type.Object(
  { links: Type.Array(EntityRef, { minItems: 1, maxItems: 50 }) },
  { additionalProperties: false },
)
export const LinkList = Type.Object({ data: Type.Array(LinkView) })
export const LinkParams = Type.Object({ id: Uuid, entityType: Key, entityId: Uuid })
