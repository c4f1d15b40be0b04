-- Inbound email: a reply address names a case but not its workspace; the listener finds the workspace from the
-- messages we sent on that case (every reply address went out on one), by case id alone.
create index messages_case_only_idx on messages (case_id);
-- Processing an inbound email checks first whether its delivery is recorded already (replays record nothing twice).
create index messages_delivery_idx on messages (merchant_id, inbox_delivery_id) where inbox_delivery_id is not null;
