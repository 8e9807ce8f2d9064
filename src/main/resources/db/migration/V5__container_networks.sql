-- A container's address on its team's network, as the node last reported it (null while it has none).

alter table containers add column ip_address varchar(45);

-- Whether a team's containers may reach beyond the node (their traffic masqueraded); admins turn it off per team.

alter table team_quotas add column outbound boolean default true not null;

-- What a container has written to its own filesystem layer, as last measured: counts against the team's storage quota.

alter table containers add column writable_bytes bigint default 0 not null;

-- Optimistic locking: a request and the reconciler changing one container at once never lose each other's change.

alter table containers add column version bigint default 0 not null;
