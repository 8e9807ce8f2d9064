-- A container's address on its team's network, as the node last reported it (null while it has none).

alter table containers add column ip_address varchar(45);

-- Whether a team's containers may reach beyond the node (their traffic masqueraded); admins turn it off per team.

alter table team_quotas add column outbound boolean default true not null;
