-- Inbox: each merchant's accounts at providers (connections), their encrypted secrets, and every
-- inbound webhook stored raw, with its dedup key, before it is acknowledged.

create table integration_connections (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  source text not null check (source in ('carriers', 'messaging', 'payments', 'commerce', '3pl')),
  provider text not null check (provider ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
  name text not null check (length(name) between 1 and 100),
  status text not null default 'active' check (status in ('active', 'disabled')),
  -- non-secret provider settings; secrets live in integration_secrets, encrypted
  settings jsonb not null default '{}' check (jsonb_typeof(settings) = 'object'),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, id)
);
-- A webhook URL names the connection, not the merchant: it is found by id before the merchant is
-- known. UUIDv7 ids never collide, so no unique index (which would have to omit merchant_id).
create index integration_connections_id_idx on integration_connections (id);

create table integration_secrets (
  merchant_id uuid not null,
  id uuid not null,
  connection_id uuid not null,
  -- an AES-256-GCM box from encryptSecret (key derived for integration secrets); never plaintext
  ciphertext text not null,
  created_at timestamptz not null,
  -- null: current. Set on rotation to the end of the grace period, until which it still verifies.
  expires_at timestamptz,
  primary key (merchant_id, id),
  foreign key (merchant_id, connection_id) references integration_connections (merchant_id, id)
);
create index integration_secrets_connection_idx on integration_secrets (merchant_id, connection_id);

create table webhook_deliveries (
  merchant_id uuid not null,
  id uuid not null,
  connection_id uuid not null,
  source text not null,
  provider text not null,
  -- the provider's idempotency key (e.g. Standard Webhooks' webhook-id): a resent webhook is stored once
  dedup_key text not null check (length(dedup_key) between 1 and 512),
  received_at timestamptz not null,
  -- lower-cased names; authorization and cookie headers are never stored
  headers jsonb not null check (jsonb_typeof(headers) = 'object'),
  -- the bytes exactly as received: signatures and later re-normalisation need them unchanged
  body bytea not null,
  content_type text,
  -- the id of the HTTP request that delivered it: audit entries written while processing carry it
  request_id text,
  status text not null default 'received' check (status in ('received', 'processed', 'failed', 'dead', 'ignored')),
  attempts int not null default 0 check (attempts >= 0),
  last_error text,
  processed_at timestamptz,
  primary key (merchant_id, id),
  unique (merchant_id, connection_id, dedup_key),
  foreign key (merchant_id, connection_id) references integration_connections (merchant_id, id)
);
create index webhook_deliveries_status_idx on webhook_deliveries (merchant_id, status, id);
create index webhook_deliveries_connection_idx on webhook_deliveries (merchant_id, connection_id, id);
