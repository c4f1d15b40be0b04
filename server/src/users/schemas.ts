import { Type } from 'typebox'
import { passwordRules } from '../auth/passwords.js'
import { allPermissions } from '../auth/permissions.js'
import { NullableTimestamp, PageQueryWith, Timestamp, Uuid } from '../http/schemas.js'

export const UserView = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  role_id: Uuid,
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  created_at: Timestamp,
  updated_at: Timestamp,
  last_login_at: NullableTimestamp,
})
export const UserParams = Type.Object({ id: Uuid })

export const UserListQuery = PageQueryWith({
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
  permission: Type.Optional(
    Type.Union(
      allPermissions.map((p) => Type.Literal(p)),
      { description: 'Only people whose role holds it, e.g. cases.write: who can be assigned cases' },
    ),
  ),
})

export const CreateUserBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.String({ minLength: passwordRules.minLength, maxLength: passwordRules.maxLength }),
    role_id: Uuid,
  },
  { additionalProperties: false },
)

export const UpdateUserBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    role_id: Type.Optional(Uuid),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
  },
  { additionalProperties: false, minProperties: 1 },
)

const Email = Type.String({ minLength: 3, maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' })
export const LoginBody = Type.Object(
  {
    email: Email,
    password: Type.String({ minLength: 1, maxLength: passwordRules.maxLength }),
    workspace: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        description: 'Workspace slug, needed only when the email belongs to several',
      }),
    ),
  },
  { additionalProperties: false },
)

export const ChangePasswordBody = Type.Object(
  {
    current_password: Type.String({ minLength: 1, maxLength: passwordRules.maxLength }),
    new_password: Type.String({ minLength: passwordRules.minLength, maxLength: passwordRules.maxLength }),
  },
  { additionalProperties: false },
)
