-- Commerce records: customers, orders (lines, payments) and shipments, from sources (shopify, api, import, …).
-- `source_updated_at` is the source's own last-modified time: an older update never overwrites a newer one.

create table customers (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  name text,
  email text check (email is null or length(email) <= 320),
  phone text check (phone is null or phone ~ '^\+[1-9][0-9]{6,14}$'), -- E.164
  locale text,
  time_zone text,
  -- vip, business, retail, reseller, or a merchant-defined slug
  segment text not null default 'retail' check (segment ~ '^[a-z][a-z0-9_-]{0,39}$'),
  consent_email boolean not null default false,
  consent_sms boolean not null default false,
  consent_whatsapp boolean not null default false,
  -- set when this record was merged into another; it then only redirects
  merged_into_id uuid,
  redacted_at timestamptz,
  source_updated_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, id),
  foreign key (merchant_id, merged_into_id) references customers (merchant_id, id)
);
create index customers_email_idx on customers (merchant_id, lower(email)) where merged_into_id is null;
create index customers_phone_idx on customers (merchant_id, phone) where merged_into_id is null;

create table customer_external_ids (
  merchant_id uuid not null,
  source text not null,
  external_id text not null,
  customer_id uuid not null,
  primary key (merchant_id, source, external_id),
  foreign key (merchant_id, customer_id) references customers (merchant_id, id)
);
create index customer_external_ids_customer_idx on customer_external_ids (merchant_id, customer_id);

create table orders (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  source text not null,
  external_id text not null,
  order_number text,
  customer_id uuid,
  currency char(3) not null references currencies (code),
  placed_at timestamptz not null,
  status text not null default 'open' check (status in ('open', 'cancelled', 'closed')),
  financial_status text,
  subtotal_amount_minor bigint not null default 0,
  discount_amount_minor bigint not null default 0 check (discount_amount_minor >= 0),
  shipping_amount_minor bigint not null default 0 check (shipping_amount_minor >= 0),
  tax_amount_minor bigint not null default 0 check (tax_amount_minor >= 0),
  total_amount_minor bigint not null check (total_amount_minor >= 0),
  shipping_country char(2),
  source_updated_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, id),
  unique (merchant_id, source, external_id),
  foreign key (merchant_id, customer_id) references customers (merchant_id, id)
);
create index orders_customer_idx on orders (merchant_id, customer_id, placed_at);

create table order_lines (
  merchant_id uuid not null,
  order_id uuid not null,
  id uuid not null,
  external_id text,
  position int not null,
  sku text,
  name text not null,
  category text,
  quantity int not null check (quantity > 0),
  unit_price_amount_minor bigint not null check (unit_price_amount_minor >= 0),
  tax_amount_minor bigint not null default 0 check (tax_amount_minor >= 0),
  fulfilment_centre text,
  primary key (merchant_id, id),
  unique (merchant_id, order_id, position),
  foreign key (merchant_id, order_id) references orders (merchant_id, id) on delete cascade
);

create table payments (
  merchant_id uuid not null,
  id uuid not null,
  order_id uuid not null,
  provider text not null,
  reference text not null,
  currency char(3) not null references currencies (code),
  captured_amount_minor bigint not null check (captured_amount_minor >= 0),
  -- later refunds draw on this; the database itself refuses to refund more than was captured
  refunded_amount_minor bigint not null default 0 check (refunded_amount_minor >= 0),
  captured_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, id),
  unique (merchant_id, order_id, provider, reference),
  foreign key (merchant_id, order_id) references orders (merchant_id, id) on delete cascade,
  check (refunded_amount_minor <= captured_amount_minor)
);

-- Each refund once: a source's refund id (Shopify's refund transaction) is recorded with it, so a
-- replayed webhook cannot refund twice.
create table payment_refunds (
  merchant_id uuid not null,
  id uuid not null,
  payment_id uuid not null,
  source text not null,
  external_id text not null,
  amount_minor bigint not null check (amount_minor > 0),
  created_at timestamptz not null,
  primary key (merchant_id, id),
  unique (merchant_id, payment_id, source, external_id),
  foreign key (merchant_id, payment_id) references payments (merchant_id, id) on delete cascade
);

create table shipments (
  merchant_id uuid not null,
  id uuid not null,
  order_id uuid not null,
  source text not null,
  external_id text not null,
  -- a known carrier code (shipments/carriers.ts), or null with the source's name kept in carrier_name
  carrier_code text,
  carrier_name text,
  service text,
  tracking_number text,
  tracking_url text,
  fulfilment_centre text,
  status text not null default 'pending' check (status in ('pending', 'shipped', 'in_transit', 'delivered', 'exception', 'returned', 'cancelled')),
  shipped_at timestamptz,
  declared_value_amount_minor bigint check (declared_value_amount_minor >= 0),
  declared_value_currency char(3) references currencies (code),
  destination_country char(2),
  promised_delivery_on date,
  estimated_delivery_on date,
  delivered_at timestamptz,
  source_updated_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, id),
  unique (merchant_id, source, external_id),
  foreign key (merchant_id, order_id) references orders (merchant_id, id) on delete cascade,
  check ((declared_value_amount_minor is null) = (declared_value_currency is null))
);
create index shipments_order_idx on shipments (merchant_id, order_id);
create index shipments_tracking_idx on shipments (merchant_id, tracking_number) where tracking_number is not null;

create table shipment_lines (
  merchant_id uuid not null,
  shipment_id uuid not null,
  order_line_id uuid not null,
  quantity int not null check (quantity > 0),
  primary key (merchant_id, shipment_id, order_line_id),
  foreign key (merchant_id, shipment_id) references shipments (merchant_id, id) on delete cascade,
  foreign key (merchant_id, order_line_id) references order_lines (merchant_id, id) on delete cascade
);
