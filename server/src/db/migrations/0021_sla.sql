-- SLA policies (versioned: a case keeps the version it started with), the clocks on cases, and the settings.
create table sla_policies (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  name text not null check (length(name) between 1 and 100),
  position int not null default 0,
  -- The policy every case falls back to: exactly one per workspace, never deleted.
  fallback boolean not null default false,
  -- { tier, conditions, targets, alert_calendar_id }: edited freely, published as a new version
  draft jsonb not null,
  live_version int not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, id)
);
create unique index sla_policies_name_key on sla_policies (merchant_id, lower(name));
create unique index sla_policies_fallback_key on sla_policies (merchant_id) where fallback;

-- Immutable once written.
create table sla_policy_versions (
  merchant_id uuid not null,
  policy_id uuid not null,
  version int not null,
  definition jsonb not null,
  published_at timestamptz not null,
  published_by text,
  primary key (merchant_id, policy_id, version),
  foreign key (merchant_id, policy_id) references sla_policies (merchant_id, id) on delete cascade
);

-- One clock per case, target and episode (next_response and a reopened resolution run again as new episodes).
-- Time is kept as business minutes spent before `checkpoint_at` plus the time since (when active): pausing
-- folds the time into spent_minutes, resuming moves the checkpoint, re-applying keeps spent_minutes.
create table sla_clocks (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  case_id uuid not null,
  target text not null,
  episode int not null,
  policy_id uuid not null,
  policy_version int not null,
  tier text not null,
  calendar_id uuid,
  minutes int not null check (minutes > 0),
  steps jsonb not null default '[]',
  -- Steps that fired this episode ('breach' for the breach itself): re-planning never arms them again.
  fired_steps text[] not null default '{}',
  alert_calendar_id uuid,
  milestone_event text,
  started_at timestamptz not null,
  checkpoint_at timestamptz not null,
  spent_minutes double precision not null default 0,
  due_at timestamptz not null,
  state text not null check (state in ('active', 'paused', 'met', 'breached')),
  paused_at timestamptz,
  paused_seconds bigint not null default 0,
  met_at timestamptz,
  breached_at timestamptz,
  -- The event that started this episode: a redelivered event starts nothing twice.
  source_event_id uuid,
  -- For the attainment report, as the case was when the clock started (the SLA module reads no case tables).
  case_type text,
  carrier_code text,
  fulfilment_centre text,
  team_id uuid,
  updated_at timestamptz not null,
  primary key (merchant_id, id),
  unique (merchant_id, case_id, target, episode)
);
create unique index sla_clocks_source_event_key on sla_clocks (merchant_id, source_event_id, target)
  where source_event_id is not null;
create index sla_clocks_report on sla_clocks (merchant_id, started_at);

-- Other modules' thresholds on a case's running target (the rules engine's SLA_elapsed >= 75%).
create table sla_watches (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  case_id uuid not null,
  target text not null,
  percent double precision,
  offset_minutes int,
  task text not null,
  payload jsonb not null,
  created_at timestamptz not null,
  primary key (merchant_id, id),
  check ((percent is null) <> (offset_minutes is null))
);
create index sla_watches_case on sla_watches (merchant_id, case_id, target);

create table sla_settings (
  merchant_id uuid primary key references merchants (id),
  pause_statuses text[] not null,
  updated_at timestamptz not null
);

-- The case's SLA summary for list filters and sorts, written by the SLA module through recordCaseActivity.
alter table cases add column sla_next_due_at timestamptz;
alter table cases add column sla_state text check (sla_state in ('active', 'paused', 'met', 'breached'));
-- The list's sla_due sort (cases with nothing due last) and its breaching-soon filter.
create index cases_sla_due on cases (merchant_id, (coalesce(sla_next_due_at, '9999-12-31T00:00:00Z'::timestamptz)), id);
