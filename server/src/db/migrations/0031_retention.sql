-- Retention (issue 24): legal holds on cases and customers, retention policies per record kind, the record of each
-- purge run, customer erasures deferred by a hold, and the marks of what a purge already took.

-- A hold blocks purge, file deletion and erasure of its subject (a case, or a customer and all their cases) until
-- released. Rows are never deleted: who placed and released a hold, when and why, stays.
create table legal_holds (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  subject_type text not null check (subject_type in ('case', 'customer')),
  subject_id uuid not null,
  reason text not null check (length(reason) between 1 and 2000),
  placed_by text not null,
  placed_at timestamptz not null,
  released_by text,
  released_at timestamptz,
  release_reason text check (length(release_reason) <= 2000),
  primary key (merchant_id, id),
  check ((released_at is null) = (released_by is null)),
  check ((released_at is null) = (release_reason is null))
);
-- Every purge batch asks this of its candidates.
create index legal_holds_active on legal_holds (merchant_id, subject_type, subject_id) where released_at is null;
create index legal_holds_subject on legal_holds (merchant_id, subject_type, subject_id, placed_at);

-- A workspace's policy for one kind of record (scope: the evidence type key; '' for the kind as a whole). A kind
-- or scope without a row follows the documented default (retention/defaults.ts).
create table retention_policies (
  merchant_id uuid not null references merchants (id),
  kind text not null check (kind in ('evidence', 'message_bodies', 'customer_data')),
  scope text not null default '' check (length(scope) <= 100),
  keep_days int not null check (keep_days between 1 and 36500),
  after text not null check (after in ('created', 'case_closed')),
  enabled boolean not null default true,
  updated_at timestamptz not null,
  primary key (merchant_id, kind, scope)
);

-- One purge run of one kind: what it removed (counts and a sample of ids), and what it left for a hold.
-- merchant_id is null for the platform tables (outbox, webhook bodies, fired clock actions, counters).
create table retention_runs (
  id uuid primary key,
  merchant_id uuid references merchants (id),
  kind text not null,
  dry_run boolean not null,
  started_at timestamptz not null,
  finished_at timestamptz,
  removed int not null default 0,
  held int not null default 0,
  sample_ids jsonb not null default '[]',
  error text
);
create index retention_runs_merchant on retention_runs (merchant_id, started_at);

-- Shopify's customers/redact on a held customer: recorded, and carried out when the last hold on them is released.
create table erasure_deferrals (
  merchant_id uuid not null references merchants (id),
  customer_id uuid not null,
  source text not null,
  requested_at timestamptz not null,
  done_at timestamptz,
  primary key (merchant_id, customer_id, requested_at)
);
create index erasure_deferrals_pending on erasure_deferrals (merchant_id, customer_id) where done_at is null;

-- A message whose body the message_bodies policy took: the marker stands in its text, its metadata stays.
alter table messages add column body_purged_at timestamptz;
create index messages_body_unpurged on messages (merchant_id, created_at) where body_purged_at is null;

-- A processed webhook delivery whose raw body the platform retention took: the row stays, a replay is refused.
alter table webhook_deliveries add column body_purged_at timestamptz;

-- What the platform purge (retention/service/platform.ts) reads by age, so each batch is an index range.
create index webhook_deliveries_purgeable on webhook_deliveries (received_at)
  where body_purged_at is null and status in ('processed', 'ignored');
create index webhook_rejections_hour on webhook_rejections (hour);
create index outbox_published_idx on outbox (published_at) where published_at is not null;
