import { Type } from 'typebox'
import { NullableTimestamp, Timestamp, Uuid } from '../http/schemas.js'

const Limit = Type.Object(
  {
    amount_minor: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  },
  { additionalProperties: false },
)
const PermissionGrant = Type.Object(
  {
    permission: Type.String({ minLength: 1, maxLength: 100 }),
    limit: Type.Optional(
      Type.Union([Limit, Type.Null()], {
        description: 'An amount bound, e.g. approve refunds up to 20000 GBP minor units',
      }),
    ),
  },
  { additionalProperties: false },
)
export const RoleView = Type.Object({
  id: Uuid,
  builtin_key: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  description: Type.String(),
  permissions: Type.Array(
    Type.Object({ permission: Type.String(), limit: Type.Optional(Type.Union([Limit, Type.Null()])) }),
  ),
  created_at: Timestamp,
  updated_at: Timestamp,
})
export const RoleList = Type.Object({ data: Type.Array(RoleView) })
export const IdParams = Type.Object({ id: Uuid })
const Name = Type.String({ minLength: 1, maxLength: 100 })
const Description = Type.String({ maxLength: 2000 })

export const PermissionCatalogue = Type.Object({
  data: Type.Array(Type.Object({ permission: Type.String(), description: Type.String() })),
})

export const CreateRoleBody = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    permissions: Type.Array(PermissionGrant, { maxItems: 100 }),
  },
  { additionalProperties: false },
)

export const UpdateRoleBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    permissions: Type.Optional(Type.Array(PermissionGrant, { maxItems: 100 })),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const ApiKeyView = Type.Object({
  id: Uuid,
  name: Type.String(),
  prefix: Type.String(),
  role_id: Uuid,
  created_by: Type.Union([Uuid, Type.Null()]),
  created_at: Timestamp,
  last_used_at: NullableTimestamp,
  expires_at: NullableTimestamp,
  revoked_at: NullableTimestamp,
})

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    role_id: Uuid,
    expires_at: Type.Optional(Type.Union([Timestamp, Type.Null()])),
  },
  { additionalProperties: false },
)

export const ApiKeyCreated = Type.Object({ key: Type.String(), api_key: ApiKeyView })
