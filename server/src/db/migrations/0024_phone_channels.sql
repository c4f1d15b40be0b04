-- SMS and WhatsApp through Twilio. A customer's STOP is kept apart from consent, so one who never answered is told
-- from one who said no: an opted-out channel gets nothing until the customer says START.
alter table customers add column sms_opted_out_at timestamptz, add column whatsapp_opted_out_at timestamptz;
-- Status callbacks find their message by the provider's id.
create index messages_provider_id_idx on messages (merchant_id, provider, provider_message_id)
  where provider_message_id is not null;
