-- Messaging: every customer contact, automatic or human, in or out, on the case it belongs to; templates
-- with drafts, immutable versions and approval; macros; per-workspace email settings.

-- Who may read a timeline entry: the customer (portal, conversation) or only the workspace.
alter table case_timeline add column visibility text not null default 'internal'
  check (visibility in ('internal', 'public'));

-- The first public reply by a person (automatic acknowledgements and routing do not count).
alter table cases add column first_response_at timestamptz;

create table messages (
  merchant_id uuid not null,
  id uuid not null,
  case_id uuid not null,
  direction text not null check (direction in ('out', 'in')),
  channel text not null check (channel in ('email', 'sms', 'whatsapp', 'portal')),
  -- public: the customer's conversation; side: a side conversation (a carrier, a warehouse) the customer never sees
  visibility text not null default 'public' check (visibility in ('public', 'side')),
  status text not null check (status in ('queued', 'sending', 'sent', 'delivered', 'bounced', 'failed', 'held', 'not_sent', 'received')),
  status_reason text,
  author_type text not null check (author_type in ('agent', 'system', 'rule', 'customer', 'contact')),
  author_id uuid,
  -- sent by automation (acknowledgements, rules): never counts as a first response; mail says Auto-Submitted
  automatic boolean not null default false,
  from_address text not null default '',
  from_name text,
  -- [{ address, name? }]
  to_addresses jsonb not null default '[]' check (jsonb_typeof(to_addresses) = 'array'),
  cc_addresses jsonb not null default '[]' check (jsonb_typeof(cc_addresses) = 'array'),
  subject text not null default '' check (length(subject) <= 998),
  text_body text not null default '',
  html_body text,
  template_id uuid,
  template_version integer,
  -- RFC 5322 Message-ID (without angle brackets); outbound ones are ours, so a retry sends the same one
  message_id_header text,
  in_reply_to text,
  references_headers text[] not null default '{}',
  provider text,
  provider_message_id text,
  -- the raw message as received or sent (.eml), in the file store
  raw_blob_key text,
  -- why an inbound message is not to be answered automatically: auto_submitted, bulk, mailer_daemon, rate_limited, …
  robot_reason text,
  inbox_delivery_id uuid,
  attempts integer not null default 0,
  next_attempt_at timestamptz,
  sent_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, id),
  foreign key (merchant_id, case_id) references cases (merchant_id, id)
);
create index messages_case_idx on messages (merchant_id, case_id, created_at, id);
create unique index messages_message_id_idx on messages (merchant_id, message_id_header) where message_id_header is not null;
create index messages_failed_idx on messages (merchant_id, updated_at desc) where status in ('failed', 'bounced', 'held');
create index messages_from_idx on messages (merchant_id, lower(from_address), created_at) where direction = 'in';

-- One row per recipient of an outbound email: a recipient's state only moves forward, so none is sent twice.
create table message_recipients (
  merchant_id uuid not null,
  message_id uuid not null,
  address text not null,
  kind text not null check (kind in ('to', 'cc', 'bcc')),
  status text not null default 'queued' check (status in ('queued', 'sending', 'sent', 'failed', 'bounced')),
  smtp_reply text,
  attempts integer not null default 0,
  sent_at timestamptz,
  updated_at timestamptz not null,
  primary key (merchant_id, message_id, address),
  foreign key (merchant_id, message_id) references messages (merchant_id, id)
);

create table message_attachments (
  merchant_id uuid not null,
  id uuid not null,
  message_id uuid not null,
  file_name text not null check (length(file_name) between 1 and 255),
  content_type text not null,
  size_bytes bigint not null check (size_bytes >= 0),
  -- null when the attachment was refused (too large, refused type): the message is kept, the file is not
  blob_key text,
  content_id text,
  refused_reason text,
  created_at timestamptz not null,
  primary key (merchant_id, id),
  foreign key (merchant_id, message_id) references messages (merchant_id, id)
);
create index message_attachments_message_idx on message_attachments (merchant_id, message_id);

-- A template per purpose × channel × locale; its versions are immutable once saved, one may be live.
create table message_templates (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  purpose text not null check (purpose ~ '^[a-z][a-z0-9_]{0,39}$'),
  channel text not null check (channel in ('email', 'sms', 'whatsapp')),
  locale text not null check (locale ~ '^[a-z]{2,3}(-[A-Z]{2})?$'),
  name text not null check (length(name) between 1 and 100),
  -- the working copy editors change; saving it as a version freezes it
  draft_subject text not null default '',
  draft_text text not null default '',
  draft_html text,
  live_version integer,
  archived_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, id),
  unique (merchant_id, purpose, channel, locale)
);

create table message_template_versions (
  merchant_id uuid not null,
  template_id uuid not null,
  version integer not null check (version >= 1),
  subject text not null,
  text_body text not null,
  html_body text,
  created_by uuid,
  created_at timestamptz not null,
  approved_by uuid,
  approved_at timestamptz,
  primary key (merchant_id, template_id, version),
  foreign key (merchant_id, template_id) references message_templates (merchant_id, id)
);

-- A template plus actions (set status, add tag, assign), applied from the composer in one step.
create table macros (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  name text not null check (length(name) between 1 and 100),
  template_id uuid,
  -- [{ type: set_status|add_tag|assign, … }]
  actions jsonb not null default '[]' check (jsonb_typeof(actions) = 'array'),
  archived_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, id),
  unique (merchant_id, name)
);

create table email_settings (
  merchant_id uuid primary key references merchants (id),
  from_name text not null,
  from_address text not null,
  -- per brand: [{ key, from_name, from_address }]
  brands jsonb not null default '[]' check (jsonb_typeof(brands) = 'array'),
  -- hosts links in messages may point at, besides PUBLIC_URL's and known carrier tracking domains
  allowed_link_domains text[] not null default '{}',
  default_locale text not null default 'en',
  updated_at timestamptz not null
);

-- Agent email digests: at most one email per person per interval; in-app notifications stay primary.
create table notification_email_settings (
  merchant_id uuid not null,
  user_id uuid not null,
  enabled boolean not null default true,
  interval_minutes integer not null default 30 check (interval_minutes between 5 and 1440),
  last_sent_at timestamptz,
  primary key (merchant_id, user_id),
  foreign key (merchant_id, user_id) references users (merchant_id, id)
);
