-- Carrier tracking: one tracker per parcel a carrier tracks, its events in one model, and the
-- shipments it tracks. Canonical statuses are listed in carriers/model.ts.

create table trackers (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  -- a known carrier code, else the provider's lower-cased carrier name: the tracker's identity with
  -- the tracking number and, where a carrier reuses numbers, the carrier's own parcel id
  carrier_key text not null,
  carrier_code text,
  carrier_name text,
  tracking_number text not null check (length(tracking_number) between 1 and 100),
  carrier_ref text not null default '',
  provider text not null,
  provider_tracker_id text,
  status text not null default 'unknown',
  sub_status text,
  provider_status text,
  provider_sub_status text,
  -- event time of the event the status comes from: an older event never replaces it
  status_at timestamptz,
  confidence text not null default 'high' check (confidence in ('high', 'low')),
  review_reasons jsonb not null default '[]' check (jsonb_typeof(review_reasons) = 'array'),
  estimated_delivery_at timestamptz,
  signed_by text,
  last_event_at timestamptz,
  last_received_at timestamptz not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, id),
  unique (merchant_id, carrier_key, tracking_number, carrier_ref)
);
create index trackers_tracking_number_idx on trackers (merchant_id, tracking_number);

create table tracking_events (
  merchant_id uuid not null,
  id uuid not null,
  tracker_id uuid not null,
  -- the provider's event id, or a hash of what the event says: the same scan arrives once
  event_key text not null,
  status text not null,
  sub_status text,
  provider_status text,
  provider_sub_status text,
  code text,
  message text,
  occurred_at timestamptz not null,
  -- the offset the carrier reported the time in (null: it gave none and the time was read as UTC)
  utc_offset_minutes int,
  location jsonb,
  facility text,
  device text,
  driver text,
  signed_by text,
  delivery_id uuid,
  recorded_at timestamptz not null,
  primary key (merchant_id, id),
  unique (merchant_id, tracker_id, event_key),
  foreign key (merchant_id, tracker_id) references trackers (merchant_id, id) on delete cascade
);
create index tracking_events_time_idx on tracking_events (merchant_id, tracker_id, occurred_at desc);

-- The shipments a tracker tracks (a tracking number can carry several), linked when either arrives.
create table tracker_shipments (
  merchant_id uuid not null,
  tracker_id uuid not null,
  shipment_id uuid not null,
  linked_at timestamptz not null,
  primary key (merchant_id, tracker_id, shipment_id),
  foreign key (merchant_id, tracker_id) references trackers (merchant_id, id) on delete cascade,
  foreign key (merchant_id, shipment_id) references shipments (merchant_id, id) on delete cascade
);
create index tracker_shipments_shipment_idx on tracker_shipments (merchant_id, shipment_id);

-- Proofs of delivery (signatures, photos, documents) in the file store.
create table tracking_media (
  merchant_id uuid not null,
  id uuid not null,
  tracker_id uuid not null,
  event_key text,
  kind text not null check (kind in ('signature', 'photo', 'document')),
  file_key text not null,
  content_type text not null,
  size_bytes bigint not null,
  sha256 text not null,
  created_at timestamptz not null,
  primary key (merchant_id, id),
  unique (merchant_id, tracker_id, sha256),
  foreign key (merchant_id, tracker_id) references trackers (merchant_id, id) on delete cascade
);

-- The shipment's carrier truth, kept by the shipments module from its trackers.
alter table shipments
  add column tracking_status text,
  add column tracking_sub_status text,
  add column tracking_status_at timestamptz,
  add column tracking_confidence text check (tracking_confidence in ('high', 'low')),
  add column last_tracking_event_at timestamptz,
  add column estimated_delivery_at timestamptz,
  -- set when shipment.stale / shipment.late was announced; cleared when a new event or delivery ends the episode
  add column stale_since timestamptz,
  add column late_since timestamptz;
create index shipments_open_tracking_idx on shipments (merchant_id, last_tracking_event_at)
  where tracking_status is distinct from 'delivered' and status not in ('delivered', 'returned', 'cancelled');

-- Webhooks refused before they were stored (bad signature, malformed body), counted per hour for
-- the connection's health; the bodies are not kept.
create table webhook_rejections (
  merchant_id uuid not null,
  connection_id uuid not null,
  hour timestamptz not null,
  reason text not null,
  count int not null check (count > 0),
  primary key (merchant_id, connection_id, hour, reason),
  foreign key (merchant_id, connection_id) references integration_connections (merchant_id, id)
);

-- When a connection was last found unhealthy, so connection.unhealthy is announced once an episode.
create table connection_health (
  merchant_id uuid not null,
  connection_id uuid not null,
  state text not null check (state in ('healthy', 'unhealthy')),
  reasons jsonb not null default '[]',
  since timestamptz not null,
  checked_at timestamptz not null,
  primary key (merchant_id, connection_id),
  foreign key (merchant_id, connection_id) references integration_connections (merchant_id, id)
);

-- Per workspace: when a shipment counts as stale (no carrier event for N hours, by carrier and service).
create table tracking_settings (
  merchant_id uuid primary key references merchants (id),
  stale_after_hours int not null default 72 check (stale_after_hours between 1 and 2160),
  -- [{ "carrier": code or null, "service": name or null, "hours": n }], the most specific match wins
  stale_rules jsonb not null default '[]' check (jsonb_typeof(stale_rules) = 'array'),
  updated_at timestamptz not null
);

-- Job workers alive, by graphile-worker pool id: jobs locked by a worker that stopped beating (a
-- process killed mid-job) are unlocked within a minute instead of graphile-worker's four hours.
create table job_workers (
  worker_id text primary key,
  seen_at timestamptz not null
);
