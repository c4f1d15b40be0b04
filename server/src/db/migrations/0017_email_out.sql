-- Outbound email in batches (messaging/email/send-email.ts): the send drain claims due messages, marks them
-- `sending` under its sender key and sends them together; the .eml of a common message is stored here, not as
-- a file of its own (a file costs a disk flush per message).

-- The sender that marked the message `sending`: a session advisory lock (21001, send_key) is held by that
-- sender's connection while it sends, so a later run tells a dead sender's messages from a live one's.
alter table messages add column send_key integer;
-- The .eml as sent is in message_raw_emails rather than the file store (raw_blob_key).
alter table messages add column raw_in_db boolean not null default false;

-- What the drain claims: due outbound messages, oldest first; and the messages being sent, by sender.
create index messages_send_due_idx on messages (created_at, id) where status = 'queued' and direction = 'out';
create index messages_sending_idx on messages (send_key) where status = 'sending';

-- The bytes of an outbound email as sent (below 256 KB, without attachments), fixed on its first attempt.
create table message_raw_emails (
  merchant_id uuid not null,
  message_id uuid not null,
  raw bytea not null,
  primary key (merchant_id, message_id),
  foreign key (merchant_id, message_id) references messages (merchant_id, id)
);
