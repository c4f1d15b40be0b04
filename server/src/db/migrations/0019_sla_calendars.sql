-- SLA business-hours calendars: an IANA zone, weekly open hours (split shifts allowed), holidays, or 24/7.
-- Validated by the service (real zone, HH:mm, no overlaps, some open time); the checks here keep the shapes.
create table sla_calendars (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  name text not null check (length(name) between 1 and 100),
  time_zone text not null,
  always boolean not null default false,
  -- [{ day: 1..7 (ISO, 1 = Monday), start: 'HH:mm', end: 'HH:mm' }]
  weekly jsonb not null default '[]' check (jsonb_typeof(weekly) = 'array'),
  -- [{ date: 'YYYY-MM-DD', yearly: boolean, name }]
  holidays jsonb not null default '[]' check (jsonb_typeof(holidays) = 'array'),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, id)
);
create unique index sla_calendars_name_key on sla_calendars (merchant_id, lower(name));
