-- Client certificates for the Docker Engine API: each acts as its user in one team. Only the
-- certificate's serial and SHA-256 fingerprint are kept (its private key never is); a revoked or
-- expired one is refused. Deleting the team or the user deletes its certificates.

create table docker_certificates (
    id          varchar(36)  primary key,
    team_id     bigint       not null references teams (id) on delete cascade,
    user_id     bigint       not null references users (id) on delete cascade,
    name        varchar(100) not null,
    serial      varchar(64)  not null,
    fingerprint varchar(64)  not null,
    created_at  timestamp with time zone not null,
    expires_at  timestamp with time zone not null,
    revoked_at  timestamp with time zone,
    constraint docker_certificates_serial_unique unique (serial)
);

create index docker_certificates_team on docker_certificates (team_id, user_id);
