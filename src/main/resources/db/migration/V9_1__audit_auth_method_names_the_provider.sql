-- The audit trail's authentication method names the OpenID provider of a login ("oidc:<provider>").
alter table audit_events alter column auth_method set data type varchar(80);
