-- A Docker certificate made with a job token of a trusted issuer acts for no Wharf user: it keeps the
-- token's issuer, subject, caller name and team role instead, and expires no later than the token.

alter table docker_certificates alter column user_id drop not null;
alter table docker_certificates add column grant_issuer varchar(500);
alter table docker_certificates add column grant_subject varchar(500);
alter table docker_certificates add column grant_name varchar(100);
alter table docker_certificates add column grant_role varchar(20);
alter table docker_certificates add constraint docker_certificates_acts_for
    check ((user_id is not null and grant_issuer is null) or (user_id is null and grant_issuer is not null and grant_subject is not null
        and grant_name is not null and grant_role is not null));
