-- A customer's erasure reaches their messages (messaging/redact): the personal content of each message they wrote
-- or were sent is replaced by a marker, its raw copies and attachments deleted, and the message marked here so
-- views show "Redacted" and the .eml route answers 410. The message row, its ids, status and dates stay.
alter table messages add column redacted_at timestamptz;
