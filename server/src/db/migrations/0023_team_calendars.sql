-- A team's business hours (one of the SLA module's calendars): alerts to its people that are not urgent wait for
-- them to open. The key takes the workspace too, so a team can only name a calendar of its own workspace.
alter table teams add column calendar_id uuid;
alter table teams add constraint teams_calendar_fkey
  foreign key (merchant_id, calendar_id) references sla_calendars (merchant_id, id);
-- Deleting a calendar looks for the teams that name it.
create index teams_calendar on teams (merchant_id, calendar_id) where calendar_id is not null;
