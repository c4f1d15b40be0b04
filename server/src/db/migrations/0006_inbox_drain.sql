-- Deliveries waiting to be processed, oldest first, across merchants: the inbox drain claims from here
-- (FOR UPDATE SKIP LOCKED) instead of a job per delivery. Rows leave the index once processed.
create index webhook_deliveries_waiting_idx on webhook_deliveries (received_at) where status = 'received';
