-- Labels of volumes and projects (a container's labels are part of its stored spec), and what a
-- container's health check last found.
alter table volumes add column labels varchar(20000) default '{}' not null;
alter table projects add column labels varchar(20000) default '{}' not null;
alter table containers add column health_status varchar(16);
alter table containers add column health_failing_streak integer default 0 not null;
alter table containers add column health_log varchar(40000);
