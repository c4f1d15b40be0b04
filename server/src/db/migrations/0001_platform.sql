-- Platform: tenancy, people, roles, sessions, keys, idempotency, outbox, clock.
-- Every business table carries merchant_id and every key includes it (Citus-ready: distributed by merchant_id).

-- ISO 4217 currencies and their minor-unit exponents: the one table money formatting and conversion use.
create table currencies (
  code char(3) primary key check (code ~ '^[A-Z]{3}$'),
  exponent smallint not null check (exponent between 0 and 4)
);
insert into currencies (code, exponent) values
('AED', 2),
('AFN', 2),
('ALL', 2),
('AMD', 2),
('ANG', 2),
('AOA', 2),
('ARS', 2),
('AUD', 2),
('AWG', 2),
('AZN', 2),
('BAM', 2),
('BBD', 2),
('BDT', 2),
('BGN', 2),
('BHD', 3),
('BIF', 0),
('BMD', 2),
('BND', 2),
('BOB', 2),
('BRL', 2),
('BSD', 2),
('BTN', 2),
('BWP', 2),
('BYN', 2),
('BZD', 2),
('CAD', 2),
('CDF', 2),
('CHF', 2),
('CLF', 4),
('CLP', 0),
('CNY', 2),
('COP', 2),
('CRC', 2),
('CUP', 2),
('CVE', 2),
('CZK', 2),
('DJF', 0),
('DKK', 2),
('DOP', 2),
('DZD', 2),
('EGP', 2),
('ERN', 2),
('ETB', 2),
('EUR', 2),
('FJD', 2),
('FKP', 2),
('GBP', 2),
('GEL', 2),
('GHS', 2),
('GIP', 2),
('GMD', 2),
('GNF', 0),
('GTQ', 2),
('GYD', 2),
('HKD', 2),
('HNL', 2),
('HTG', 2),
('HUF', 2),
('IDR', 2),
('ILS', 2),
('INR', 2),
('IQD', 3),
('IRR', 2),
('ISK', 0),
('JMD', 2),
('JOD', 3),
('JPY', 0),
('KES', 2),
('KGS', 2),
('KHR', 2),
('KMF', 0),
('KPW', 2),
('KRW', 0),
('KWD', 3),
('KYD', 2),
('KZT', 2),
('LAK', 2),
('LBP', 2),
('LKR', 2),
('LRD', 2),
('LSL', 2),
('LYD', 3),
('MAD', 2),
('MDL', 2),
('MGA', 2),
('MKD', 2),
('MMK', 2),
('MNT', 2),
('MOP', 2),
('MRU', 2),
('MUR', 2),
('MVR', 2),
('MWK', 2),
('MXN', 2),
('MYR', 2),
('MZN', 2),
('NAD', 2),
('NGN', 2),
('NIO', 2),
('NOK', 2),
('NPR', 2),
('NZD', 2),
('OMR', 3),
('PAB', 2),
('PEN', 2),
('PGK', 2),
('PHP', 2),
('PKR', 2),
('PLN', 2),
('PYG', 0),
('QAR', 2),
('RON', 2),
('RSD', 2),
('RUB', 2),
('RWF', 0),
('SAR', 2),
('SBD', 2),
('SCR', 2),
('SDG', 2),
('SEK', 2),
('SGD', 2),
('SHP', 2),
('SLE', 2),
('SOS', 2),
('SRD', 2),
('SSP', 2),
('STN', 2),
('SVC', 2),
('SYP', 2),
('SZL', 2),
('THB', 2),
('TJS', 2),
('TMT', 2),
('TND', 3),
('TOP', 2),
('TRY', 2),
('TTD', 2),
('TWD', 2),
('TZS', 2),
('UAH', 2),
('UGX', 0),
('USD', 2),
('UYI', 0),
('UYU', 2),
('UYW', 4),
('UZS', 2),
('VED', 2),
('VES', 2),
('VND', 0),
('VUV', 0),
('WST', 2),
('XAF', 0),
('XCD', 2),
('XCG', 2),
('XOF', 0),
('XPF', 0),
('YER', 2),
('ZAR', 2),
('ZMW', 2),
('ZWG', 2);

create table merchants (
  id uuid primary key,
  slug text not null unique check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
  name text not null check (length(name) between 1 and 200),
  brand_name text not null check (length(brand_name) between 1 and 200),
  time_zone text not null,
  default_currency char(3) not null references currencies (code),
  currencies char(3)[] not null,
  -- keys the hashes of personal data in the audit trail, so short values (emails) can't be guessed offline
  audit_pepper bytea not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  check (default_currency = any (currencies))
);

create table exchange_rates (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  base_currency char(3) not null references currencies (code),
  quote_currency char(3) not null references currencies (code),
  -- units of quote per one unit of base, exact decimal
  rate numeric(30, 12) not null check (rate > 0),
  effective_on date not null,
  created_at timestamptz not null,
  primary key (merchant_id, id),
  unique (merchant_id, base_currency, quote_currency, effective_on),
  check (base_currency <> quote_currency)
);

create table roles (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  -- set for the built-in roles, whose permissions are declared in code (auth/permissions.ts)
  builtin_key text check (builtin_key in ('admin', 'manager', 'agent', 'finance', 'viewer')),
  name text not null check (length(name) between 1 and 100),
  description text not null default '',
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, id),
  unique (merchant_id, builtin_key)
);
create unique index roles_name_key on roles (merchant_id, lower(name));

create table role_permissions (
  merchant_id uuid not null,
  role_id uuid not null,
  permission text not null,
  -- optional bound, e.g. refunds.approve up to 20000 GBP minor units
  limit_amount_minor bigint check (limit_amount_minor >= 0),
  limit_currency char(3) references currencies (code),
  primary key (merchant_id, role_id, permission),
  foreign key (merchant_id, role_id) references roles (merchant_id, id) on delete cascade,
  check ((limit_amount_minor is null) = (limit_currency is null))
);

create table users (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  email text not null check (length(email) between 3 and 320),
  name text not null check (length(name) between 1 and 200),
  password_hash text not null,
  role_id uuid not null,
  status text not null default 'active' check (status in ('active', 'disabled')),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  password_changed_at timestamptz not null,
  last_login_at timestamptz,
  primary key (merchant_id, id),
  foreign key (merchant_id, role_id) references roles (merchant_id, id)
);
create unique index users_email_key on users (merchant_id, lower(email));
-- login looks a person up by email before it knows the merchant
create index users_email_idx on users (lower(email));

create table sessions (
  merchant_id uuid not null,
  id uuid not null,
  user_id uuid not null,
  token_hash bytea not null,
  csrf_token text not null,
  ip text,
  user_agent text,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  primary key (merchant_id, id),
  foreign key (merchant_id, user_id) references users (merchant_id, id)
);
-- looked up by cookie before the merchant is known; 256-bit tokens never collide, so no unique index is needed
create index sessions_token_idx on sessions (token_hash);

create table api_keys (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  name text not null check (length(name) between 1 and 100),
  -- shown in lists so people can tell keys apart; the key itself is found by its hash
  prefix text not null,
  secret_hash bytea not null,
  role_id uuid not null,
  created_by uuid,
  created_at timestamptz not null,
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz,
  primary key (merchant_id, id),
  foreign key (merchant_id, role_id) references roles (merchant_id, id)
);
-- SHA-256 suffices for 256-bit random keys (nothing to brute-force); looked up before the merchant is known
create index api_keys_hash_idx on api_keys (secret_hash);

-- Pre-authentication, so not per merchant: failed logins by email and by address, purged after a day.
create table login_attempts (
  id uuid primary key,
  email_key text not null,
  ip text not null,
  succeeded boolean not null,
  at timestamptz not null
);
create index login_attempts_email_idx on login_attempts (email_key, at);
create index login_attempts_ip_idx on login_attempts (ip, at);

create table teams (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  name text not null check (length(name) between 1 and 100),
  description text not null default '',
  lead_user_id uuid,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, id),
  foreign key (merchant_id, lead_user_id) references users (merchant_id, id)
);
create unique index teams_name_key on teams (merchant_id, lower(name));

create table team_members (
  merchant_id uuid not null,
  team_id uuid not null,
  user_id uuid not null,
  added_at timestamptz not null,
  primary key (merchant_id, team_id, user_id),
  foreign key (merchant_id, team_id) references teams (merchant_id, id) on delete cascade,
  foreign key (merchant_id, user_id) references users (merchant_id, id)
);

create table idempotency_keys (
  merchant_id uuid not null references merchants (id),
  key text not null,
  actor_id uuid not null,
  request_hash text not null,
  state text not null check (state in ('in_progress', 'done')),
  status_code int,
  response_body text,
  created_at timestamptz not null,
  primary key (merchant_id, key)
);
create index idempotency_keys_created_idx on idempotency_keys (created_at);

-- Domain events, written in the transaction that made the change, relayed after commit.
create table outbox (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  type text not null,
  subject_id uuid,
  occurred_at timestamptz not null,
  data jsonb not null,
  published_at timestamptz,
  primary key (merchant_id, id)
);
create index outbox_unpublished_idx on outbox (occurred_at) where published_at is null;

-- The clock: "do task at run_at, once", keyed so that scheduling twice is one action.
create table scheduled_actions (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  key text not null,
  task text not null,
  payload jsonb not null,
  run_at timestamptz not null,
  state text not null default 'scheduled' check (state in ('scheduled', 'fired', 'cancelled')),
  created_at timestamptz not null,
  fired_at timestamptz,
  primary key (merchant_id, id),
  unique (merchant_id, key)
);
create index scheduled_actions_due_idx on scheduled_actions (run_at) where state = 'scheduled';
