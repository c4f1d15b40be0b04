-- Request limits of public routes no account stands behind (the survey link): a counter per key (a hash of the
-- client's address or of the link) over a window that starts at the key's first request, shared by every process.
-- Ended windows are purged hourly (maintenance:purge).
create table request_limits (
  key text primary key check (length(key) <= 200),
  window_ends_at timestamptz not null,
  hits int not null check (hits > 0)
);
create index request_limits_window on request_limits (window_ends_at);
