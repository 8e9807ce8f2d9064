-- Audit events belong to a team by its id, not by the name in the URL: a team deleted and made again
-- under the same name does not see the old team's events. Events already written are given the id of
-- the team that has their name now, when it existed at the time of the event.
alter table audit_events add column team_id bigint;

update audit_events set team_id = (
    select t.id from teams t where t.name = audit_events.team_name and t.created_at <= audit_events.occurred_at)
where team_name is not null;

create index audit_events_team_id_idx on audit_events (team_id, occurred_at);
