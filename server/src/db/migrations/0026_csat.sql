-- CSAT / NPS after resolution: a workspace's survey settings, and one survey per case and resolution episode.
create table csat_settings (
  merchant_id uuid primary key references merchants (id),
  enabled boolean not null default true,
  kind text not null default 'csat' check (kind in ('csat', 'nps')),
  delay_minutes int not null default 0 check (delay_minutes between 0 and 10080),
  -- null: the kind's default (csat 2, nps 6).
  low_score_threshold int check (low_score_threshold between 0 and 10),
  expiry_days int not null default 14 check (expiry_days between 1 and 90),
  updated_at timestamptz not null
);

-- The episode is the case's reopen_count when it was resolved: a reopened case resolved again is a new episode.
-- The case's type, carrier, team and agent are kept as they were at resolution, for the stats.
create table csat_surveys (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  case_id uuid not null,
  episode int not null check (episode >= 0),
  kind text not null check (kind in ('csat', 'nps')),
  -- sha256 of the signed link: the link itself is a credential and is never stored.
  token_hash text not null,
  expires_at timestamptz not null,
  case_type text not null,
  carrier_code text,
  team_id uuid,
  agent_id uuid,
  message_id uuid,
  sent_at timestamptz,
  score int check (score between 0 and 10 and (kind = 'nps' or score between 1 and 5)),
  comment text,
  answered_at timestamptz,
  created_at timestamptz not null,
  primary key (merchant_id, id),
  check ((score is null) = (answered_at is null))
);
-- Once per resolution, however often the event or the clock action fires.
create unique index csat_surveys_episode on csat_surveys (merchant_id, case_id, episode);
create unique index csat_surveys_token on csat_surveys (token_hash);
-- The stats read a workspace's surveys by creation time.
create index csat_surveys_created on csat_surveys (merchant_id, kind, created_at);
