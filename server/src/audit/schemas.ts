import { Type } from 'typebox'
import { Page, PageQueryWith, Timestamp, Uuid } from '../http/schemas.js'

const Hex = (description: string) => Type.String({ pattern: '^[0-9a-f]{64}$', description })

export const AuditEntryView = Type.Object({
  id: Uuid,
  occurred_at: Timestamp,
  actor_type: Type.Union([
    Type.Literal('user'),
    Type.Literal('api_key'),
    Type.Literal('system'),
    Type.Literal('rule'),
    Type.Literal('customer'),
  ]),
  actor_id: Type.Union([Type.String(), Type.Null()]),
  action: Type.String({ description: '<entity>.<past-tense verb>, e.g. team.created' }),
  entity_type: Type.String(),
  entity_id: Type.String(),
  changes: Type.Record(
    Type.String(),
    Type.Object({
      from: Type.Optional(Type.Unknown()),
      to: Type.Optional(Type.Unknown()),
      from_hash: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      to_hash: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    }),
    { description: 'Per field: {from, to}; personal data only as {from_hash, to_hash} (HMAC-SHA256); secrets as {}' },
  ),
  request_id: Type.Union([Type.String(), Type.Null()]),
  seq: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
    description: 'Position in the chain; null until the sequencer has chained it (well under a second)',
  }),
  hash: Type.Union([Hex('sha256(prev_hash || canonical JSON of the entry with its seq)'), Type.Null()]),
})

export const AuditEntryQuery = PageQueryWith({
  entity: Type.Optional(
    Type.String({
      pattern: '^[a-z_]{1,100}:[^\\s]{1,200}$',
      description: 'The record as `type:id`, e.g. `team:0193…`; or give entity_type and entity_id',
    }),
  ),
  entity_type: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'e.g. team, user, role, api_key' }),
  ),
  entity_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
})

export const VerifyReportView = Type.Object({
  ok: Type.Boolean(),
  entries_checked: Type.Integer(),
  checkpoints_checked: Type.Integer({
    description: 'Signed checkpoints compared with the chain; they are what reveals a cut-off tail',
  }),
  external_checkpoints_checked: Type.Integer({
    description:
      'The same, from the copy kept outside the database (DATA_DIR or the S3 bucket): it reveals a tail rewritten by someone holding the database',
  }),
  head: Type.Object({
    seq: Type.Integer({ minimum: 0 }),
    hash: Hex('hash of the last link; 64 zeros for an empty chain'),
  }),
  first_bad_seq: Type.Optional(Type.Integer({ minimum: 1 })),
  problem: Type.Optional(
    Type.Union([
      Type.Literal('entry_edited'),
      Type.Literal('entry_missing'),
      Type.Literal('seq_gap'),
      Type.Literal('chain_broken'),
      Type.Literal('truncated'),
      Type.Literal('checkpoint_invalid'),
    ]),
  ),
})

export const CheckpointView = Type.Object({
  merchant_id: Uuid,
  seq: Type.Integer({ minimum: 1 }),
  head_hash: Hex('the chain hash at seq'),
  signed_at: Timestamp,
  key_id: Type.String({ description: 'first 16 hex digits of sha256 of the raw Ed25519 public key' }),
  signature: Type.String({
    description:
      'base64 Ed25519 signature of the canonical JSON {"head_hash","merchant_id","seq","signed_at"} (keys sorted, no spaces, signed_at with milliseconds)',
  }),
})

export const CheckpointPage = Type.Object({
  ...Page(CheckpointView).properties,
  public_key: Type.Object({
    algorithm: Type.Literal('Ed25519'),
    key_id: Type.String(),
    pem: Type.String({ description: 'SubjectPublicKeyInfo, PEM' }),
  }),
})
