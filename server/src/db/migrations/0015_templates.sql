-- Template versions are immutable once saved: what was approved is exactly what is sent. The one change a version
-- ever takes is its approval, once; nothing deletes one (a template is archived, never deleted).
create function message_template_version_refuse_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE'
     or new.merchant_id <> old.merchant_id or new.template_id <> old.template_id or new.version <> old.version
     or new.subject <> old.subject or new.text_body <> old.text_body
     or new.html_body is distinct from old.html_body
     or new.created_by is distinct from old.created_by or new.created_at <> old.created_at
     or old.approved_at is not null then
    raise exception 'message template versions are immutable (% on version %)', tg_op, old.version
      using errcode = 'P0001';
  end if;
  return new;
end $$;

create trigger message_template_versions_immutable before update or delete on message_template_versions
  for each row execute function message_template_version_refuse_change();

-- A live version must exist and be approved: checked by the service, and the version's row is its proof.
alter table message_templates add foreign key (merchant_id, id, live_version)
  references message_template_versions (merchant_id, template_id, version) deferrable initially deferred;
