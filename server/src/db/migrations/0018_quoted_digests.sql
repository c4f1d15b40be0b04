-- An inbound email's reply and what folds away under it (quoted history, signature), split once when it is
-- recorded: the conversation shows the reply, the rest one click away. Both null when nothing folds; text_body
-- keeps the whole text as received either way.
alter table messages add column reply_text text, add column quoted_text text;

-- Agent email digests. pending_at: the oldest in-app notification no digest has covered yet (set as
-- notification.created is consumed, cleared by the digest); mailed_until: the newest instant the last digest
-- covered, so a notification too fresh for one digest goes into the next.
alter table notification_email_settings add column pending_at timestamptz, add column mailed_until timestamptz;
create index notification_email_settings_pending_idx on notification_email_settings (pending_at)
  where pending_at is not null and enabled;
