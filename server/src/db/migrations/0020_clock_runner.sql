-- The clock's own firing path (jobs/clock.ts, jobs/clock-runner.ts) and keys that can be armed again.

-- A key that fired or was cancelled can be scheduled again: only one PENDING action per key, and its
-- history (fired, cancelled, failed) stays beside it until the retention purge.
alter table scheduled_actions drop constraint scheduled_actions_merchant_id_key_key;
create unique index scheduled_actions_pending_key on scheduled_actions (merchant_id, key) where state = 'scheduled';
create index scheduled_actions_key_idx on scheduled_actions (merchant_id, key, created_at);

-- `failed`: its handler threw on every one of its attempts (the error is kept).
alter table scheduled_actions drop constraint scheduled_actions_state_check;
alter table scheduled_actions add constraint scheduled_actions_state_check
  check (state in ('scheduled', 'fired', 'cancelled', 'failed'));
alter table scheduled_actions
  add column attempts integer not null default 0,
  add column last_error text,
  -- The runner process holding the action in memory to fire it at its instant, until its lease ends
  -- (then any runner may claim it); after a failed attempt, the instant its next attempt may be claimed.
  add column claimed_by text,
  add column claim_until timestamptz,
  -- When it fired, was cancelled or failed: the purge removes it `CLOCK_RETENTION_DAYS` later.
  add column ended_at timestamptz;
update scheduled_actions set ended_at = coalesce(fired_at, created_at) where state <> 'scheduled';

create index scheduled_actions_ended_idx on scheduled_actions (ended_at) where state <> 'scheduled';

-- Actions no longer fire as graphile-worker `clock:fire` jobs: the runner fires the pending rows above,
-- and a leftover job would only fail as an unknown task.
do $$
begin
  if to_regclass('graphile_worker._private_jobs') is not null then
    delete from graphile_worker._private_jobs
    where task_id in (select id from graphile_worker._private_tasks where identifier = 'clock:fire');
  end if;
end
$$;
