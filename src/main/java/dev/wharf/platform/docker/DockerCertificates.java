package dev.wharf.platform.docker;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.identity.UserManagement;
import dev.wharf.platform.pki.CertificateAuthority;
import dev.wharf.platform.team.Team;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamManagement.TeamAccess;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.WharfException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Docker client certificates: made for a member of a team (the key only in the answer, never kept),
 * listed, revoked; and the check of each Docker request's certificate, which reads the certificate,
 * the user and the membership afresh, so a revocation, a removed member or a deleted user takes
 * effect on the next request. Everyone in a team sees and revokes their own certificates; owners and
 * platform admins see and revoke all of the team's.
 *
 * <p>A job token of a trusted issuer (no Wharf user) may make one too: the certificate then holds the
 * token's one team role, in the token's name, and expires no later than the token does, so a CI job's
 * short-lived token never turns into a long-lived credential.
 */
@Service
@Transactional
public class DockerCertificates {

    static final int DEFAULT_DAYS = 90;
    static final int MAX_DAYS = 365;

    private final JdbcTemplate jdbc;
    private final TeamManagement teams;
    private final UserManagement users;
    private final DockerAuthority authority;
    private final DockerConnector connector;
    private final Clock clock;

    DockerCertificates(JdbcTemplate jdbc, TeamManagement teams, UserManagement users, DockerAuthority authority,
            DockerConnector connector, Clock clock) {
        this.jdbc = jdbc;
        this.teams = teams;
        this.users = users;
        this.authority = authority;
        this.connector = connector;
        this.clock = clock;
    }

    /** A certificate as made: {@code key} is in this answer only. */
    public record Issued(String id, String name, String team, String user, Instant expiresAt, String ca, String cert, String key,
            String dockerHost) {
    }

    /** A certificate as listed (no key, which Wharf never had after the answer). */
    public record CertificateView(String id, String name, String team, String user, String serial, String fingerprint,
            Instant createdAt, Instant expiresAt, Instant revokedAt) {
    }

    public Issued create(Caller caller, String teamName, String name, Integer expiresInDays) {
        Team team = teams.require(caller, teamName, TeamRole.VIEWER).team();
        String label = name == null ? "" : name.strip();
        if (label.isEmpty() || label.length() > 100) {
            throw WharfException.invalidField("name", "name must have 1 to 100 characters");
        }
        int days = expiresInDays == null ? DEFAULT_DAYS : expiresInDays;
        if (days < 1 || days > MAX_DAYS) {
            throw WharfException.invalidField("expiresInDays", "expiresInDays must be between 1 and " + MAX_DAYS);
        }
        if (!connector.enabled()) {
            throw new WharfException(ErrorCategory.FAILED_PRECONDITION,
                    "the Docker API is switched off on this server (wharf.docker.enabled=false)");
        }
        Instant now = clock.instant();
        Duration lifetime = Duration.ofDays(days);
        Caller.Grant grant = caller.grant();
        if (grant != null) {
            if (grant.expiresAt() == null || !grant.expiresAt().isAfter(now.plusSeconds(60))) {
                throw WharfException.forbidden("a Docker certificate made with a token of issuer " + grant.issuer()
                        + " lasts as long as the token, and this token names no expiry or expires within a minute");
            }
            Duration tokenLeft = Duration.between(now, grant.expiresAt());
            if (tokenLeft.compareTo(lifetime) < 0) {
                lifetime = tokenLeft;
            }
        }
        CertificateAuthority.Identity identity = authority.issueClient(caller.name() + "@" + team.getName(), lifetime);
        X509Certificate certificate = identity.certificate();
        String id = UUID.randomUUID().toString();
        Instant expiresAt = certificate.getNotAfter().toInstant();
        jdbc.update("insert into docker_certificates (id, team_id, user_id, grant_issuer, grant_subject, grant_name, grant_role, name,"
                + " serial, fingerprint, created_at, expires_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id, team.getId(),
                grant == null ? caller.id() : null, grant == null ? null : grant.issuer(), grant == null ? null : grant.subject(),
                grant == null ? null : caller.name(), grant == null ? null : grant.role(), label, serial(certificate),
                fingerprint(certificate), utc(now), utc(expiresAt));
        return new Issued(id, label, team.getName(), caller.name(), expiresAt, authority.certificatePem(),
                CertificateAuthority.pem(certificate), CertificateAuthority.pem(identity.key()), dockerHost());
    }

    /** Whether this server serves the Docker API ({@code wharf.docker.enabled}). */
    boolean enabled() {
        return connector.enabled();
    }

    /** Where Docker clients reach this server: {@code tcp://<first wharf.docker.hostnames or host name>:<port>}. */
    String dockerHost() {
        return "tcp://" + hostForUrl(authority.advertisedHost()) + ":" + connector.port();
    }

    @Transactional(readOnly = true)
    public List<CertificateView> list(Caller caller, String teamName) {
        TeamAccess access = teams.require(caller, teamName, TeamRole.VIEWER);
        String sql = "select c.*, coalesce(u.name, c.grant_name) as user_name from docker_certificates c"
                + " left join users u on u.id = c.user_id where c.team_id = ?";
        if (seesAll(caller, access)) {
            return jdbc.query(sql + " order by c.created_at, c.id", (rs, i) -> view(rs, teamName), access.team().getId());
        }
        if (caller.grant() != null) {
            return jdbc.query(sql + " and c.grant_issuer = ? and c.grant_subject = ? order by c.created_at, c.id",
                    (rs, i) -> view(rs, teamName), access.team().getId(), caller.grant().issuer(), caller.grant().subject());
        }
        return jdbc.query(sql + " and c.user_id = ? order by c.created_at, c.id", (rs, i) -> view(rs, teamName),
                access.team().getId(), caller.id());
    }

    /** Revokes a certificate of the team: the next request made with it is refused. Revoking twice changes nothing. */
    public void revoke(Caller caller, String teamName, String id) {
        TeamAccess access = teams.require(caller, teamName, TeamRole.VIEWER);
        List<Boolean> own = jdbc.query("select user_id, grant_issuer, grant_subject from docker_certificates where id = ? and team_id = ?",
                (rs, i) -> caller.grant() == null ? rs.getObject("user_id") != null && rs.getLong("user_id") == caller.id()
                        : caller.grant().issuer().equals(rs.getString("grant_issuer")) && caller.grant().subject().equals(rs.getString("grant_subject")),
                id, access.team().getId());
        if (own.isEmpty() || (!own.get(0) && !seesAll(caller, access))) {
            throw WharfException.notFound("Docker certificate \"" + id + "\" not found in team \"" + teamName + "\"");
        }
        jdbc.update("update docker_certificates set revoked_at = ? where id = ? and revoked_at is null", utc(clock.instant()), id);
    }

    /**
     * The caller a Docker request's client certificate stands for, or a refusal: unknown, revoked or
     * expired certificate, deleted user (401), user no longer in the team (403).
     */
    @Transactional(readOnly = true)
    public DockerCaller authenticate(X509Certificate certificate) {
        record Row(String id, long teamId, Long userId, String grantIssuer, String grantSubject, String grantName, String grantRole,
                String fingerprint, Instant expiresAt, Instant revokedAt) {
        }
        List<Row> rows = jdbc.query("select * from docker_certificates where serial = ?",
                (rs, i) -> new Row(rs.getString("id"), rs.getLong("team_id"), rs.getObject("user_id", Long.class), rs.getString("grant_issuer"),
                        rs.getString("grant_subject"), rs.getString("grant_name"), rs.getString("grant_role"), rs.getString("fingerprint"),
                        instant(rs, "expires_at"), instant(rs, "revoked_at")),
                serial(certificate));
        if (rows.isEmpty() || !MessageDigest.isEqual(rows.get(0).fingerprint().getBytes(), fingerprint(certificate).getBytes())) {
            throw new WharfException(ErrorCategory.UNAUTHENTICATED, "this client certificate is not known to Wharf");
        }
        Row row = rows.get(0);
        if (row.revokedAt() != null) {
            throw new WharfException(ErrorCategory.UNAUTHENTICATED, "this client certificate was revoked");
        }
        if (!row.expiresAt().isAfter(clock.instant())) {
            throw new WharfException(ErrorCategory.UNAUTHENTICATED, "this client certificate expired");
        }
        Team team = teams.byId(row.teamId());
        Caller caller = row.grantIssuer() == null ? users.caller(row.userId(), null) : Caller.granted(row.grantName(),
                new Caller.Grant(row.grantIssuer(), row.grantSubject(), team.getName(), row.grantRole(), row.expiresAt()));
        TeamAccess access;
        try {
            access = teams.require(caller, team.getName(), TeamRole.VIEWER);
        } catch (WharfException notInTeam) {
            throw WharfException.forbidden("user \"" + caller.name() + "\" is no longer a member of team \"" + team.getName()
                    + "\": this certificate acts for nobody");
        }
        TeamRole role = access.role() != null ? access.role() : TeamRole.OWNER;
        return new DockerCaller(caller, team.getId(), team.getName(), role, row.id());
    }

    private static boolean seesAll(Caller caller, TeamAccess access) {
        return caller.admin() || access.role() == TeamRole.OWNER;
    }

    private static CertificateView view(ResultSet rs, String team) throws SQLException {
        return new CertificateView(rs.getString("id"), rs.getString("name"), team, rs.getString("user_name"), rs.getString("serial"),
                rs.getString("fingerprint"), instant(rs, "created_at"), instant(rs, "expires_at"), instant(rs, "revoked_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    static String serial(X509Certificate certificate) {
        return certificate.getSerialNumber().toString(16);
    }

    static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot take a certificate's fingerprint", e);
        }
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
