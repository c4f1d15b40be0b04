-- Cases: configurable types, the case record with its lifecycle, polymorphic links, one timeline,
-- followers and in-app notifications, the exception policy and its review list.

create table case_types (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  key text not null check (key ~ '^[a-z][a-z0-9_]{0,39}$'),
  label text not null check (length(label) between 1 and 100),
  description text not null default '',
  default_priority text not null default 'normal' check (default_priority in ('low', 'normal', 'high', 'urgent')),
  -- [{ key, label, type: text|number|money|date|enum|boolean, required, options? }]
  custom_fields jsonb not null default '[]' check (jsonb_typeof(custom_fields) = 'array'),
  required_evidence text[] not null default '{}',
  -- resolved by the SLA and messaging modules
  sla_tier text,
  template_keys jsonb not null default '{}' check (jsonb_typeof(template_keys) = 'object'),
  -- what a new case of this type starts with: field values and an owner's checklist
  template jsonb not null default '{}' check (jsonb_typeof(template) = 'object'),
  builtin boolean not null default false,
  archived_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, id),
  unique (merchant_id, key)
);

-- Human-friendly numbers (CD-1042) per workspace; a row lock per creation keeps them gapless enough.
create table case_counters (
  merchant_id uuid primary key references merchants (id),
  last_number bigint not null
);

create table cases (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  number bigint not null,
  type_key text not null,
  subject text not null check (length(subject) between 1 and 300),
  status text not null default 'new' check (status in ('new', 'open', 'waiting_customer', 'waiting_carrier', 'on_hold', 'resolved', 'closed')),
  priority text not null default 'normal' check (priority in ('low', 'normal', 'high', 'urgent')),
  channel text not null default 'api' check (length(channel) between 1 and 40),
  source text not null default 'manual',
  sla_tier text,
  customer_id uuid,
  order_id uuid,
  shipment_id uuid,
  carrier_code text,
  carrier_name text,
  tracking_number text,
  product_sku text,
  fulfilment_centre text,
  value_amount_minor bigint check (value_amount_minor >= 0),
  value_currency char(3) references currencies (code),
  team_id uuid,
  assignee_id uuid,
  tags text[] not null default '{}',
  custom_fields jsonb not null default '{}' check (jsonb_typeof(custom_fields) = 'object'),
  checklist jsonb not null default '[]' check (jsonb_typeof(checklist) = 'array'),
  evidence_count integer not null default 0,
  refund_authorised_by uuid,
  resolution_code text check (resolution_code in ('refunded', 'reshipped', 'carrier_credited', 'replaced', 'repaired', 'no_action', 'rejected', 'duplicate')),
  resolution_note text,
  root_cause text check (root_cause in ('carrier', 'packaging', 'pick_pack_error', 'address', 'customer', 'fraud', 'unknown')),
  fault_party text,
  escalation_level integer not null default 0,
  escalation_reason text,
  parent_id uuid,
  merged_into_id uuid,
  follow_up_of_id uuid,
  reopen_count integer not null default 0,
  first_acted_at timestamptz,
  resolved_at timestamptz,
  closed_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  search tsvector generated always as (
    setweight(to_tsvector('simple', coalesce(tracking_number, '') || ' ' || coalesce(product_sku, '')), 'A')
    || setweight(to_tsvector('english', subject), 'A')
    || setweight(to_tsvector('english', coalesce(resolution_note, '')), 'C')
  ) stored,
  primary key (merchant_id, id),
  unique (merchant_id, number),
  foreign key (merchant_id, type_key) references case_types (merchant_id, key),
  foreign key (merchant_id, team_id) references teams (merchant_id, id),
  foreign key (merchant_id, assignee_id) references users (merchant_id, id),
  check ((value_amount_minor is null) = (value_currency is null)),
  check ((status = 'resolved' or status = 'closed') = (resolution_code is not null))
);
-- The inbox: a workspace's cases in one status (or all unresolved), newest first.
create index cases_status_idx on cases (merchant_id, status, created_at desc, id desc);
create index cases_updated_idx on cases (merchant_id, updated_at desc, id desc);
create index cases_assignee_idx on cases (merchant_id, assignee_id, status) where assignee_id is not null;
create index cases_team_idx on cases (merchant_id, team_id, status) where team_id is not null;
create index cases_shipment_idx on cases (merchant_id, shipment_id) where shipment_id is not null;
create index cases_customer_idx on cases (merchant_id, customer_id) where customer_id is not null;
create index cases_order_idx on cases (merchant_id, order_id) where order_id is not null;
create index cases_tracking_idx on cases (merchant_id, tracking_number) where tracking_number is not null;
create index cases_parent_idx on cases (merchant_id, parent_id) where parent_id is not null;
create index cases_merged_idx on cases (merchant_id, merged_into_id) where merged_into_id is not null;
create index cases_tags_idx on cases using gin (tags);
create index cases_search_idx on cases using gin (search);

-- Polymorphic links: no foreign key into other modules' tables; the key fields are kept beside
-- the link so a case shows them without another lookup.
create table case_links (
  merchant_id uuid not null,
  case_id uuid not null,
  entity_type text not null check (entity_type ~ '^[a-z][a-z_]{0,39}$'),
  entity_id uuid not null,
  summary jsonb not null default '{}' check (jsonb_typeof(summary) = 'object'),
  created_at timestamptz not null,
  primary key (merchant_id, case_id, entity_type, entity_id),
  foreign key (merchant_id, case_id) references cases (merchant_id, id)
);
create index case_links_entity_idx on case_links (merchant_id, entity_type, entity_id);

create table case_timeline (
  merchant_id uuid not null,
  id uuid not null,
  case_id uuid not null,
  type text not null check (type ~ '^[a-z][a-z_.]{0,59}$'),
  occurred_at timestamptz not null,
  actor_type text not null,
  actor_id uuid,
  data jsonb not null default '{}' check (jsonb_typeof(data) = 'object'),
  text text not null default '',
  -- makes an entry written by a retried consumer or job land once
  dedup_key text,
  created_at timestamptz not null,
  search tsvector generated always as (to_tsvector('english', text)) stored,
  primary key (merchant_id, id),
  foreign key (merchant_id, case_id) references cases (merchant_id, id)
);
create index case_timeline_case_idx on case_timeline (merchant_id, case_id, occurred_at, id);
create unique index case_timeline_dedup_key on case_timeline (merchant_id, case_id, dedup_key) where dedup_key is not null;
create index case_timeline_search_idx on case_timeline using gin (search);

create table case_followers (
  merchant_id uuid not null,
  case_id uuid not null,
  user_id uuid not null,
  created_at timestamptz not null,
  primary key (merchant_id, case_id, user_id),
  foreign key (merchant_id, case_id) references cases (merchant_id, id),
  foreign key (merchant_id, user_id) references users (merchant_id, id)
);
create index case_followers_user_idx on case_followers (merchant_id, user_id);

create table notifications (
  merchant_id uuid not null,
  id uuid not null,
  user_id uuid not null,
  case_id uuid,
  -- why: mention, assigned, case_updated, sla_warning… one unread notification per recipient, case and cause
  cause text not null,
  title text not null,
  body text not null default '',
  dedup_key text not null,
  created_at timestamptz not null,
  read_at timestamptz,
  primary key (merchant_id, id),
  foreign key (merchant_id, user_id) references users (merchant_id, id)
);
create unique index notifications_dedup_key on notifications (merchant_id, user_id, dedup_key) where read_at is null;
create index notifications_user_idx on notifications (merchant_id, user_id, created_at desc);

-- Per workspace: the exception policy and lifecycle settings (defaults in cases/settings.ts).
create table case_settings (
  merchant_id uuid primary key references merchants (id),
  exception_policy jsonb not null,
  reopen_window_hours integer not null default 168,
  auto_close_after_hours integer not null default 72,
  updated_at timestamptz not null
);

-- Carrier signals the policy would not act on by itself (low confidence), for a person to decide.
create table case_reviews (
  merchant_id uuid not null,
  id uuid not null,
  shipment_id uuid not null,
  status text not null,
  case_type_key text,
  reasons jsonb not null default '[]',
  event jsonb not null,
  state text not null default 'pending' check (state in ('pending', 'opened', 'dismissed')),
  case_id uuid,
  decided_by uuid,
  decided_at timestamptz,
  created_at timestamptz not null,
  primary key (merchant_id, id),
  unique (merchant_id, shipment_id, status, created_at)
);
create index case_reviews_pending_idx on case_reviews (merchant_id, created_at) where state = 'pending';
