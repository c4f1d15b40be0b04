-- Case lists at a million cases (measured by `npm run bench -- cases`):
-- the unresolved inbox in created order stops after a page instead of sorting every unresolved row;
-- filtered counts are index-only; full-text indexes are scoped to the workspace (btree_gin), so a
-- search reads one workspace's matches, not everyone's.
create index cases_unresolved_idx on cases (merchant_id, created_at desc, id desc)
  include (status, type_key, priority, team_id, assignee_id, carrier_code, tags)
  where status in ('new', 'open', 'waiting_customer', 'waiting_carrier', 'on_hold');
create index cases_created_idx on cases (merchant_id, created_at desc, id desc) include (status, tags);
create extension if not exists btree_gin;
drop index cases_search_idx;
create index cases_search_idx on cases using gin (merchant_id, search);
drop index case_timeline_search_idx;
create index case_timeline_search_idx on case_timeline using gin (merchant_id, search);
