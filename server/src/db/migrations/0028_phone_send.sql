-- SMS and WhatsApp out through Twilio (messaging/phone/): what the phone send drain needs on a message, the
-- WhatsApp content template a template variant sends outside the 24-hour window, each sender's next free send slot
-- (the per-sender rate limit every process shares) and the workspace's quiet hours and channel preference.

-- When a phone message may go (quiet hours push it to their end; otherwise when it was recorded), its SMS segments
-- and encoding as sent, and the Twilio content template (Content SID and variables) it went as, if any.
alter table messages
  add column deliver_after timestamptz,
  add column sms_segments integer check (sms_segments > 0),
  add column sms_encoding text check (sms_encoding in ('GSM-7', 'UCS-2')),
  add column content_sid text,
  add column content_variables jsonb check (content_variables is null or jsonb_typeof(content_variables) = 'object');

-- Each drain claims its own channel: email's due index names it, the phone drain has its own (oldest due first).
drop index messages_send_due_idx;
create index messages_send_due_idx on messages (created_at, id)
  where status = 'queued' and direction = 'out' and channel = 'email';
create index messages_phone_due_idx on messages (deliver_after, id)
  where status = 'queued' and direction = 'out' and channel in ('sms', 'whatsapp');
-- The WhatsApp window: the customer's latest inbound WhatsApp message from a number.
create index messages_whatsapp_in_idx on messages (merchant_id, from_address, created_at desc)
  where direction = 'in' and channel = 'whatsapp';

-- A WhatsApp template variant's approved Twilio content template: its Content SID, and each numbered variable as
-- Liquid rendered for the case ({"1": "{{ case.number }}"}).
alter table message_templates
  add column content_sid text check (content_sid is null or content_sid ~ '^HX[0-9a-fA-F]{32}$'),
  add column content_variables jsonb not null default '{}' check (jsonb_typeof(content_variables) = 'object');

-- The per-sender rate limit, across processes: a run reserves consecutive slots from next_slot_at under the row's
-- lock and sends each message at its slot.
create table phone_send_slots (
  merchant_id uuid not null references merchants (id),
  -- the Twilio address: +E.164, a short code, or whatsapp:+E.164
  sender text not null,
  next_slot_at timestamptz not null,
  primary key (merchant_id, sender)
);

create table phone_settings (
  merchant_id uuid primary key references merchants (id),
  quiet_hours_enabled boolean not null default true,
  quiet_hours_start time not null default '21:00',
  quiet_hours_end time not null default '08:00',
  -- automatic messages without a preferred channel go by the first of these the customer consented to
  channel_order text[] not null default '{whatsapp,sms,email}',
  updated_at timestamptz not null
);
