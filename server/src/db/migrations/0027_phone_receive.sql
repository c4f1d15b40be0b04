-- SMS and WhatsApp in: a WhatsApp message the customer read is `read`, past delivered (Twilio's status callbacks).
alter table messages drop constraint messages_status_check;
alter table messages add constraint messages_status_check check (status in
  ('queued', 'sending', 'sent', 'delivered', 'read', 'bounced', 'failed', 'held', 'not_sent', 'received'));
