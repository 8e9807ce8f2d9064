-- The largest labels a request may give (64 keys of up to 128 characters, values of up to 1024,
-- JSON escapes included) fit the columns that hold them: volumes' and projects' own, and a
-- container's stored spec.
alter table volumes alter column labels set data type varchar(1000000);
alter table projects alter column labels set data type varchar(1000000);
alter table containers alter column spec set data type varchar(1000000);
