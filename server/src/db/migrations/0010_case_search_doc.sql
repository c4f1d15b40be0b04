-- Finding cases at a million (measured by `npm run bench -- cases`).
--
-- One search document per case: the timeline's texts are folded into the case as entries land,
-- so a search reads one row per case (not one per matching entry) and a relevance sort can rank a
-- window of the newest matches by walking the created-order index.
alter table cases add column timeline_search tsvector not null default '';
update cases c set timeline_search = d.doc
from (
  select merchant_id, case_id, to_tsvector('english', string_agg(text, E'\n' order by occurred_at, id)) as doc
  from case_timeline where text <> '' group by merchant_id, case_id
) d
where c.merchant_id = d.merchant_id and c.id = d.case_id;
create index cases_timeline_search_idx on cases using gin (merchant_id, timeline_search);
drop index case_timeline_search_idx;
alter table case_timeline drop column search;

-- Tag counts: one row per (case, tag) beside the case, kept by triggers so every writer (services,
-- imports, set-based loads) stays in step in its own transaction. Counting a tag's cases by age
-- bucket is then an index-only range scan instead of a visit to every tagged case.
create table case_tags (
  merchant_id uuid not null,
  tag text not null,
  created_at timestamptz not null,
  case_id uuid not null,
  status text not null,
  primary key (merchant_id, tag, created_at, case_id) include (status)
);
insert into case_tags (merchant_id, tag, created_at, case_id, status)
select distinct c.merchant_id, t.tag, c.created_at, c.id, c.status from cases c cross join lateral unnest(c.tags) as t(tag);

create function case_tags_inserted() returns trigger language plpgsql as $$
begin
  insert into case_tags (merchant_id, tag, created_at, case_id, status)
  select distinct n.merchant_id, t.tag, n.created_at, n.id, n.status from new_rows n cross join lateral unnest(n.tags) as t(tag);
  return null;
end $$;

create function case_tags_updated() returns trigger language plpgsql as $$
begin
  -- Only rows whose tags, status or creation time changed; most updates touch none of them.
  delete from case_tags ct using old_rows o join new_rows n on n.merchant_id = o.merchant_id and n.id = o.id
  where (o.tags, o.status, o.created_at) is distinct from (n.tags, n.status, n.created_at)
    and ct.merchant_id = o.merchant_id and ct.tag = any(o.tags) and ct.created_at = o.created_at and ct.case_id = o.id;
  insert into case_tags (merchant_id, tag, created_at, case_id, status)
  select distinct n.merchant_id, t.tag, n.created_at, n.id, n.status
  from new_rows n join old_rows o on o.merchant_id = n.merchant_id and o.id = n.id cross join lateral unnest(n.tags) as t(tag)
  where (o.tags, o.status, o.created_at) is distinct from (n.tags, n.status, n.created_at);
  return null;
end $$;

create function case_tags_deleted() returns trigger language plpgsql as $$
begin
  delete from case_tags ct using old_rows o
  where ct.merchant_id = o.merchant_id and ct.tag = any(o.tags) and ct.created_at = o.created_at and ct.case_id = o.id;
  return null;
end $$;

create trigger cases_tags_inserted after insert on cases referencing new table as new_rows for each statement execute function case_tags_inserted();
create trigger cases_tags_updated after update on cases referencing old table as old_rows new table as new_rows for each statement execute function case_tags_updated();
create trigger cases_tags_deleted after delete on cases referencing old table as old_rows for each statement execute function case_tags_deleted();
