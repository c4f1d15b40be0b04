-- Finding a case by its order number, customer name or email, or a linked parcel's tracking number.
--
-- The words come from the key fields kept on each link (case_links.summary), folded into a search
-- document beside the case, so a search still reads one indexed row per case and never joins.
-- A trigger keeps it in step with every writer of links (services, imports, set-based loads);
-- a customer renamed or erased has their links' summaries rewritten, which rewrites the document,
-- so an erased email leaves it.
alter table cases add column link_search tsvector not null default '';

-- `#3966` is indexed as `3966`, and a search for either finds it.
create function case_link_search(m uuid, c uuid) returns tsvector language sql stable as $$
  select coalesce(to_tsvector('english', string_agg(
    concat_ws(' ', l.summary->>'order_number', l.summary->>'external_id', l.summary->>'name', l.summary->>'email', l.summary->>'tracking_number'),
    E'\n' order by l.entity_type, l.entity_id)), '')
  from case_links l
  where l.merchant_id = m and l.case_id = c and l.entity_type in ('order', 'customer', 'shipment')
$$;

update cases c set link_search = case_link_search(c.merchant_id, c.id)
where exists (select 1 from case_links l where l.merchant_id = c.merchant_id and l.case_id = c.id);
create index cases_link_search_idx on cases using gin (merchant_id, link_search);

create function case_links_changed() returns trigger language plpgsql as $$
begin
  update cases c set link_search = case_link_search(c.merchant_id, c.id)
  from (select distinct merchant_id, case_id from changed_rows) x
  where c.merchant_id = x.merchant_id and c.id = x.case_id;
  return null;
end $$;

create trigger case_links_inserted after insert on case_links referencing new table as changed_rows for each statement execute function case_links_changed();
create trigger case_links_updated after update on case_links referencing new table as changed_rows for each statement execute function case_links_changed();
create trigger case_links_deleted after delete on case_links referencing old table as changed_rows for each statement execute function case_links_changed();

-- `GET /orders?number=`: with or without the `#` shops print before it.
create index orders_number_idx on orders (merchant_id, ltrim(order_number, '#')) where order_number is not null;
