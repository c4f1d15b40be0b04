-- Tamper-evident audit trail. Entries are written in the business transaction; one sequencer
-- chains committed entries per merchant right after (so writers never queue behind the chain).

create table audit_entries (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  occurred_at timestamptz not null,
  actor_type text not null check (actor_type in ('user', 'api_key', 'system', 'rule', 'customer')),
  actor_id text,
  action text not null,
  entity_type text not null,
  entity_id text not null,
  -- {field: {from, to}}; personal fields as {field: {from_hash, to_hash}} (HMAC), never the value
  changes jsonb not null,
  request_id text,
  primary key (merchant_id, id)
);
create index audit_entries_entity_idx on audit_entries (merchant_id, entity_type, entity_id, id);

-- Entries not yet chained; the only audit table rows are ever deleted from.
create table audit_pending (
  merchant_id uuid not null,
  entry_id uuid not null,
  primary key (merchant_id, entry_id)
);

create table audit_chain (
  merchant_id uuid not null,
  seq bigint not null check (seq > 0),
  entry_id uuid not null,
  prev_hash bytea not null,
  hash bytea not null,
  chained_at timestamptz not null,
  primary key (merchant_id, seq),
  unique (merchant_id, entry_id)
);

-- Signed chain heads: a verifier holding one can tell when the tail was cut off.
create table audit_checkpoints (
  merchant_id uuid not null,
  seq bigint not null,
  head_hash bytea not null,
  signed_at timestamptz not null,
  key_id text not null,
  signature bytea not null,
  primary key (merchant_id, seq)
);

create function audit_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'audit rows are append-only (% on %)', tg_op, tg_table_name using errcode = 'P0001';
end $$;

create trigger audit_entries_append_only before update or delete on audit_entries
  for each row execute function audit_refuse_change();
create trigger audit_entries_no_truncate before truncate on audit_entries
  for each statement execute function audit_refuse_change();
create trigger audit_chain_append_only before update or delete on audit_chain
  for each row execute function audit_refuse_change();
create trigger audit_chain_no_truncate before truncate on audit_chain
  for each statement execute function audit_refuse_change();
create trigger audit_checkpoints_append_only before update or delete on audit_checkpoints
  for each row execute function audit_refuse_change();
create trigger audit_checkpoints_no_truncate before truncate on audit_checkpoints
  for each statement execute function audit_refuse_change();
