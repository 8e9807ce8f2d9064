-- A container's address on its team's network, as the node last reported it (null while it has none).

alter table containers add column ip_address varchar(45);
