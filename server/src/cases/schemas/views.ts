import { Type } from 'typebox'
import { NullableTimestamp, Uuid } from '../../http/schemas.js'
import { caseSorts } from '../store/case-list.js'
import { CaseQuery } from './cases.js'
import { Text } from './common.js'

const { limit: _l, cursor: _c, counts: _n, sort: _s, ...filterProperties } = CaseQuery.properties
export const ViewFilters = Type.Object(filterProperties, {
  additionalProperties: false,
  description: 'GET /cases filters',
})
export const SavedViewT = Type.Object({
  id: Type.String({ description: 'A UUID, or the key of a built-in view (mine, unassigned, all_open, new_today)' }),
  name: Type.String(),
  shared: Type.Boolean(),
  builtin: Type.Boolean(),
  owner_id: Type.Union([Uuid, Type.Null()]),
  filters: Type.Record(Type.String(), Type.Unknown()),
  sort: Type.Enum([...caseSorts]),
  position: Type.Integer(),
  created_at: NullableTimestamp,
  updated_at: NullableTimestamp,
})

export const SavedViewList = Type.Object({ data: Type.Array(SavedViewT) })
const ViewBody = {
  name: Text(80),
  shared: Type.Optional(
    Type.Boolean({ description: "Shared with the workspace (needs cases.configure); else the caller's own" }),
  ),
  filters: ViewFilters,
  sort: Type.Optional(Type.Enum([...caseSorts])),
  position: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
}
export const CreateViewBody = Type.Object(ViewBody, { additionalProperties: false })
export const PatchViewBody = Type.Object(
  { ...ViewBody, name: Type.Optional(ViewBody.name), filters: Type.Optional(ViewBody.filters) },
  { additionalProperties: false, minProperties: 1 },
)
