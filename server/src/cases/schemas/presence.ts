import { Type } from 'typebox'
import { Timestamp, Uuid } from '../../http/schemas.js'

const PresenceState = Type.Union([Type.Literal('viewing'), Type.Literal('replying')])
export const PresenceView = Type.Object({ user_id: Uuid, state: PresenceState, since: Timestamp })
export const PresenceList = Type.Object({ data: Type.Array(PresenceView) })
export const PresenceBody = Type.Object({ state: PresenceState }, { additionalProperties: false })
