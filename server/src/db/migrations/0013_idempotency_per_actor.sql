-- Idempotency keys belong to the actor that sent them (Stripe scopes them to the account and the key):
-- matched per workspace only, a replay handed one actor's response, secrets included, to any other.
alter table idempotency_keys add column actor_type text;
update idempotency_keys k set actor_type = case
  when exists (select 1 from users u where u.merchant_id = k.merchant_id and u.id = k.actor_id) then 'user'
  when exists (select 1 from api_keys a where a.merchant_id = k.merchant_id and a.id = k.actor_id) then 'api_key'
  else 'system' end;
alter table idempotency_keys alter column actor_type set not null,
  add constraint idempotency_keys_actor_type_check check (actor_type in ('user', 'api_key', 'system')),
  drop constraint idempotency_keys_pkey,
  add primary key (merchant_id, actor_type, actor_id, key);
