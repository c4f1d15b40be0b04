-- Stored customer links (revocable, completable), evidence requests sent through them, and the evidence each
-- later action (a carrier claim, a refund approval) requires.

-- The token carries the link's id (its `l` claim); the token itself is a credential and is never stored.
create table signed_links (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  purpose text not null,
  subject_type text not null,
  subject_id uuid not null,
  expires_at timestamptz not null,
  -- The actor's id; null when Claimdesk minted it itself.
  created_by text,
  created_at timestamptz not null,
  revoked_at timestamptz,
  revoked_by text,
  completed_at timestamptz,
  last_used_at timestamptz,
  primary key (merchant_id, id)
);
create index signed_links_subject on signed_links (merchant_id, subject_type, subject_id, created_at);

create table evidence_requests (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  case_id uuid not null,
  type_keys text[] not null check (cardinality(type_keys) between 1 and 20),
  message text not null check (length(message) between 1 and 2000),
  due_at timestamptz not null,
  status text not null default 'open' check (status in ('open', 'completed', 'overdue', 'cancelled')),
  link_id uuid not null,
  -- The channel asked for; null: the workspace's order of channels.
  channel text check (channel in ('email', 'sms', 'whatsapp')),
  message_id uuid,
  created_by text,
  created_at timestamptz not null,
  reminded_at timestamptz,
  overdue_at timestamptz,
  completed_at timestamptz,
  cancelled_at timestamptz,
  cancelled_by text,
  primary key (merchant_id, id),
  foreign key (merchant_id, link_id) references signed_links (merchant_id, id)
);
create index evidence_requests_case on evidence_requests (merchant_id, case_id, created_at);
create unique index evidence_requests_link on evidence_requests (merchant_id, link_id);

-- Action 'case' is not stored here: it is the case type's required_evidence.
create table evidence_requirements (
  merchant_id uuid not null references merchants (id),
  action text not null check (action ~ '^[a-z][a-z0-9_]{0,63}$' and action <> 'case'),
  type_keys text[] not null check (cardinality(type_keys) <= 50),
  updated_at timestamptz not null,
  updated_by text,
  primary key (merchant_id, action)
);
