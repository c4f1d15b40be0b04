import { Type } from 'typebox'
import { NullableTimestamp, Timestamp, Uuid } from '../../http/schemas.js'
import { fieldTypes } from '../tables.js'
import { Key, NullableString, PriorityT, Tag, Text } from './common.js'

export const CustomFieldDefT = Type.Object(
  {
    key: Key,
    label: Text(100),
    type: Type.Enum([...fieldTypes]),
    required: Type.Optional(Type.Boolean()),
    options: Type.Optional(Type.Array(Text(100), { minItems: 1, maxItems: 100 })),
  },
  { additionalProperties: false },
)
export const TemplateT = Type.Object(
  {
    subject: Type.Optional(Text(300)),
    priority: Type.Optional(PriorityT),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 20 })),
    custom_fields: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    checklist: Type.Optional(Type.Array(Text(200), { maxItems: 30 })),
  },
  { additionalProperties: false },
)

export const CaseTypeView = Type.Object({
  id: Uuid,
  key: Type.String(),
  label: Type.String(),
  description: Type.String(),
  default_priority: PriorityT,
  custom_fields: Type.Array(CustomFieldDefT),
  required_evidence: Type.Array(Type.String()),
  sla_tier: NullableString,
  template_keys: Type.Record(Type.String(), Type.String()),
  template: TemplateT,
  builtin: Type.Boolean(),
  archived_at: NullableTimestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
})

export const CaseTypeList = Type.Object({ data: Type.Array(CaseTypeView) })
export const CaseTypeQuery = Type.Object(
  { include_archived: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
)
export const CaseTypeParams = Type.Object({ key: Key })

const TypeFields = {
  label: Text(100),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  default_priority: Type.Optional(PriorityT),
  custom_fields: Type.Optional(Type.Array(CustomFieldDefT, { maxItems: 50 })),
  required_evidence: Type.Optional(Type.Array(Key, { maxItems: 30 })),
  sla_tier: Type.Optional(Type.Union([Key, Type.Null()])),
  template_keys: Type.Optional(Type.Record(Key, Type.String({ maxLength: 100 }), { maxProperties: 30 })),
  template: Type.Optional(TemplateT),
}
export const CreateCaseTypeBody = Type.Object({ key: Key, ...TypeFields }, { additionalProperties: false })
export const PatchCaseTypeBody = Type.Object(
  { ...TypeFields, label: Type.Optional(Text(100)), archived: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
)
