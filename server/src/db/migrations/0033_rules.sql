-- Automation rules written as text: the rules, their versions, what each execution did (the ledger that makes a
-- rule fire once per case, version and trigger occurrence), the events the engine has handled, and how deep
-- rule-caused events run.

create table rules (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  name text not null check (length(name) between 1 and 200),
  description text not null default '',
  -- Lower runs first.
  priority integer not null,
  mode text not null check (mode in ('active', 'shadow', 'disabled')),
  stop_processing boolean not null default false,
  -- The latest version's number, text and compiled form (names resolved to ids when it was saved).
  version integer not null,
  source text not null,
  compiled jsonb not null,
  -- Trigger kinds inferred from the fields the rule reads (rules/types.ts).
  triggers text[] not null,
  -- 'default' for the default pack a new workspace gets; null for the workspace's own.
  pack text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  deleted_at timestamptz,
  primary key (merchant_id, id)
);
create unique index rules_name on rules (merchant_id, lower(name)) where deleted_at is null;
create index rules_live on rules (merchant_id, priority) where deleted_at is null and mode <> 'disabled';

create table rule_versions (
  merchant_id uuid not null references merchants (id),
  rule_id uuid not null,
  version integer not null,
  source text not null,
  compiled jsonb not null,
  created_by_type text not null,
  created_by text,
  created_at timestamptz not null,
  primary key (merchant_id, rule_id, version)
);

-- One row per rule that matched a trigger occurrence: fired (live), shadow (what it would have done), failed, or
-- skipped (loop limits). The unique key is the ledger: a redelivered event or a second firing of the same trigger
-- finds its row and does nothing.
create table rule_executions (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  rule_id uuid not null,
  rule_version integer not null,
  outcome text not null check (outcome in ('fired', 'shadow', 'failed', 'skipped')),
  skip_reason text,
  trigger text not null,
  trigger_key text not null,
  event_id uuid,
  event_type text,
  -- What the execution is about: the case, else the shipment, else the event's subject ('' when none).
  subject_key text not null,
  case_id uuid,
  shipment_id uuid,
  depth smallint not null default 0,
  conditions jsonb not null,
  actions jsonb not null,
  error text,
  occurred_at timestamptz not null,
  created_at timestamptz not null,
  primary key (merchant_id, id),
  unique (merchant_id, rule_id, rule_version, subject_key, trigger_key)
);
create index rule_executions_recent on rule_executions (merchant_id, created_at desc, id desc);
create index rule_executions_rule on rule_executions (merchant_id, rule_id, created_at desc);
create index rule_executions_case on rule_executions (merchant_id, case_id) where case_id is not null;

-- Events the engine evaluated: each once, also when the outbox delivers it again.
create table rule_events_handled (
  merchant_id uuid not null references merchants (id),
  event_id uuid not null,
  handled_at timestamptz not null,
  primary key (merchant_id, event_id)
);
create index rule_events_handled_age on rule_events_handled (handled_at);

create table rule_settings (
  merchant_id uuid not null references merchants (id) primary key,
  -- Bumped on every change to the workspace's rules: processes reload their cached rules when it moves.
  revision bigint not null default 0,
  -- Rule-caused events run rules again up to this depth.
  max_depth smallint not null default 3 check (max_depth between 0 and 10),
  -- A rule fires at most this many times on one case within the window.
  repeat_limit smallint not null default 5 check (repeat_limit between 1 and 100),
  repeat_window_minutes integer not null default 60 check (repeat_window_minutes between 1 and 10080),
  -- When the default pack was written (null: not yet).
  seeded_at timestamptz
);

-- How deep in a chain of rule-caused changes an event was written (0: not caused by a rule). The engine sets
-- claimdesk.rule_depth in its transaction; the outbox insert reads it.
alter table outbox add column rule_depth smallint not null default 0;
