-- Evidence on cases (issue 24): typed files judged by their bytes, the workspace's own evidence types on top of the
-- built-in ones (evidence/catalogue.ts), and its evidence settings.
create table evidence_types (
  merchant_id uuid not null references merchants (id),
  key text not null check (key ~ '^[a-z][a-z0-9_]{0,63}$'),
  label text not null,
  -- Sensitive types are seen only by holders of evidence.sensitive.read.
  sensitive boolean not null default false,
  max_bytes bigint not null check (max_bytes > 0),
  formats text[] not null,
  kind text not null check (kind in ('photo', 'document')),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, key)
);

create table evidence_settings (
  merchant_id uuid primary key references merchants (id),
  -- Off: photos lose their EXIF (GPS location included) when they are re-encoded.
  keep_exif boolean not null default false,
  updated_at timestamptz not null
);

create table evidence_items (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  case_id uuid not null,
  shipment_id uuid,
  type_key text not null,
  source text not null check (source in ('upload', 'portal', 'carrier_pod', 'message_attachment', 'generated')),
  uploader_kind text not null check (uploader_kind in ('agent', 'customer', 'carrier', 'system')),
  uploaded_by text,
  status text not null default 'active' check (status in ('active', 'candidate')),
  captured_at timestamptz,
  created_at timestamptz not null,
  blob_key text not null,
  sha256 text not null,
  size_bytes bigint not null check (size_bytes > 0),
  content_type text not null,
  original_name text not null,
  thumbnail_key text,
  fields jsonb not null default '{}',
  notes text,
  request_id uuid,
  -- What an automatic copy came from (tracking_media:<id>, message_attachment:<id>): copied once per case.
  source_ref text,
  primary key (merchant_id, id)
);
create index evidence_items_case on evidence_items (merchant_id, case_id, id);
create unique index evidence_items_source_ref on evidence_items (merchant_id, case_id, source_ref)
  where source_ref is not null;

-- The case type's required evidence types the case does not have yet (the evidence module keeps it, as the SLA
-- module keeps sla_state): what `GET /cases?missing_evidence=true` filters on.
alter table cases add column missing_evidence text[] not null default '{}';
