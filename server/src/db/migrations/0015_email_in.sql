-- Inbound email: a reply address names a case but not its workspace; the listener finds the workspace from the
-- messages we sent on that case (every reply address went out on one), by case id alone.
create index messages_case_only_idx on messages (case_id);
