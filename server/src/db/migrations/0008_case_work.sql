-- Working cases at scale: who takes the next case (agent capacity, away, routing), saved inbox views,
-- split and imported history.

-- Per agent: how many unresolved cases they can hold, whether they are away, and when they last got one
-- (round-robin takes the longest-waiting member).
create table case_agents (
  merchant_id uuid not null,
  user_id uuid not null,
  capacity integer not null default 25 check (capacity between 0 and 10000),
  away boolean not null default false,
  away_until timestamptz,
  last_assigned_at timestamptz,
  updated_at timestamptz not null,
  primary key (merchant_id, user_id),
  foreign key (merchant_id, user_id) references users (merchant_id, id)
);

-- Routing: the first rule whose conditions match a new case picks its team and how a member is chosen
-- ([{ name, when: { case_types?, carriers?, fulfilment_centres?, product_categories?, priorities? }, team_id, strategy }]).
alter table case_settings add column routing jsonb not null default '[]' check (jsonb_typeof(routing) = 'array');

-- The product category of the case's item (from the order line), for routing and filters.
alter table cases add column product_category text;
-- A case split off another keeps a pointer to it.
alter table cases add column split_from_id uuid;
-- Imported history is keyed by its source and the source's id, so importing again changes nothing.
alter table cases add column external_id text;
create unique index cases_external_key on cases (merchant_id, source, external_id) where external_id is not null;
-- Least-loaded assignment counts each member's unresolved cases.
create index cases_assignee_open_idx on cases (merchant_id, assignee_id) where status in ('new', 'open', 'waiting_customer', 'waiting_carrier', 'on_hold');
-- Auto-close sweeps resolved cases by age.
create index cases_resolved_idx on cases (merchant_id, resolved_at) where status = 'resolved';

-- Saved inbox views: a person's own (owner_id) or shared with the workspace (owner_id null).
create table case_views (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  owner_id uuid,
  name text not null check (length(name) between 1 and 80),
  -- the list filters (GET /cases query parameters) and sort
  filters jsonb not null default '{}' check (jsonb_typeof(filters) = 'object'),
  sort text not null default 'created_desc',
  position integer not null default 0,
  created_by uuid,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, id),
  foreign key (merchant_id, owner_id) references users (merchant_id, id)
);
create unique index case_views_name_key on case_views (merchant_id, coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name));
