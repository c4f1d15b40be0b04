import { Type } from 'typebox'
import { NullableTimestamp, Page, PageQueryWith, Timestamp, Uuid } from '../http/schemas.js'
import { holdSubjects, retentionKinds, retentionStarts } from './tables.js'

const Subject = Type.Enum([...holdSubjects], {
  description: 'case: the case; customer: the customer and every case of theirs',
})
const Reason = Type.String({
  minLength: 1,
  maxLength: 2000,
  description: 'Why (a dispute, a court order, a police case)',
})

export const HoldView = Type.Object({
  id: Uuid,
  subject_type: Subject,
  subject_id: Uuid,
  reason: Reason,
  placed_by: Type.String({ description: 'Who placed it (a person or key id, or system)' }),
  placed_at: Timestamp,
  released_by: Type.Union([Type.String(), Type.Null()]),
  released_at: NullableTimestamp,
  release_reason: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean({ description: 'Not released: it blocks purge, file deletion and erasure' }),
})
export const HoldPage = Page(HoldView)

export const PlaceHoldBody = Type.Object(
  { subject_type: Subject, subject_id: Uuid, reason: Reason },
  { additionalProperties: false },
)
export const ReleaseHoldBody = Type.Object({ reason: Reason }, { additionalProperties: false })
export const HoldParams = Type.Object({ id: Uuid })
export const HoldQuery = PageQueryWith({
  subject_type: Type.Optional(Subject),
  subject_id: Type.Optional(Uuid),
  active: Type.Optional(Type.Boolean({ description: 'true: only holds in force; false: only released ones' })),
})

const Kind = Type.Enum([...retentionKinds], {
  description:
    'evidence: files by evidence type (scope); message_bodies: the text of messages; customer_data: customers ' +
    'inactive with no open case, erased',
})
const policyFields = {
  kind: Kind,
  scope: Type.String({ maxLength: 100, description: "evidence: the evidence type key; '' for the kind as a whole" }),
  keep_days: Type.Integer({ minimum: 1, maximum: 36500 }),
  after: Type.Enum([...retentionStarts], { description: 'What the days count from' }),
  enabled: Type.Boolean({ description: 'false: kept for good' }),
}
export const PolicyView = Type.Object({
  ...policyFields,
  source: Type.Enum(['default', 'workspace'], { description: 'default: the documented default, not changed' }),
})
export const PoliciesView = Type.Object({ data: Type.Array(PolicyView) })
export const PoliciesBody = Type.Object(
  {
    policies: Type.Array(
      Type.Object(
        {
          kind: policyFields.kind,
          scope: Type.Optional(policyFields.scope),
          keep_days: policyFields.keep_days,
          after: policyFields.after,
          enabled: Type.Optional(policyFields.enabled),
        },
        { additionalProperties: false },
      ),
      { maxItems: 200, description: "The workspace's policies, all of them: those left out follow the defaults" },
    ),
  },
  { additionalProperties: false },
)

export const RunView = Type.Object({
  id: Uuid,
  kind: Type.String(),
  dry_run: Type.Boolean(),
  started_at: Timestamp,
  finished_at: NullableTimestamp,
  removed: Type.Integer({ description: 'Records purged (or, in a dry run, that would be)' }),
  held: Type.Integer({ description: 'Records past their time kept by a legal hold' }),
  sample_ids: Type.Array(Type.String(), { description: 'Up to 20 of the ids removed' }),
  error: Type.Union([Type.String(), Type.Null()]),
})
export const RunsQuery = Type.Object(
  { kind: Type.Optional(Kind), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) },
  { additionalProperties: false },
)
export const RunsView = Type.Object({ data: Type.Array(RunView) })
