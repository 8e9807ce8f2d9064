-- Wharf's own certificate authority (it signs the certificates nodes serve with and the client
-- certificates the server presents to them): its certificate, and its private key sealed with the
-- server's secret key. Every replica uses the same row.

create table certificate_authorities (
    name        varchar(63)   primary key,
    certificate varchar(8000) not null,
    private_key varchar(8000) not null,
    created_at  timestamp with time zone not null
);
