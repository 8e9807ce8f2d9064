package dev.wharf.platform.pki;

import dev.wharf.platform.secret.SecretBox;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Wharf's certificate authorities, each made at the first start and kept by name in the
 * {@code certificate_authorities} table, its key sealed with {@code wharf.secrets.key}, so every
 * replica on the same database signs and trusts with the same one. Two replicas starting together
 * race on one insert; the loser reads the winner's.
 */
@Component
public class StoredAuthorities {

    private static final Logger log = LoggerFactory.getLogger(StoredAuthorities.class);
    static final Duration VALIDITY = Duration.ofDays(3650);

    private final JdbcTemplate jdbc;
    private final SecretBox secrets;
    private final Clock clock;

    StoredAuthorities(JdbcTemplate jdbc, SecretBox secrets, Clock clock) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.clock = clock;
    }

    /**
     * The authority kept as {@code name}, made now (ten years valid, its certificate named
     * {@code commonName}) when there is none yet; {@code purpose} says in the log what it signs.
     */
    public CertificateAuthority named(String name, String commonName, String purpose) {
        CertificateAuthority stored = find(name);
        if (stored != null) {
            return stored;
        }
        CertificateAuthority fresh = CertificateAuthority.create(commonName, clock.instant(), VALIDITY);
        try {
            jdbc.update("insert into certificate_authorities (name, certificate, private_key, created_at) values (?, ?, ?, ?)", name,
                    fresh.certificatePem(), secrets.seal(fresh.privateKeyPem()), clock.instant().atOffset(ZoneOffset.UTC));
            log.info("made {} (it signs {}; valid until {})", commonName, purpose, fresh.certificate().getNotAfter().toInstant());
            return fresh;
        } catch (DuplicateKeyException anotherReplicaWasFirst) {
            return find(name);
        }
    }

    private CertificateAuthority find(String name) {
        List<CertificateAuthority> found = jdbc.query("select certificate, private_key from certificate_authorities where name = ?",
                (rs, i) -> CertificateAuthority.read(rs.getString("certificate"), secrets.open(rs.getString("private_key"))), name);
        return found.isEmpty() ? null : found.get(0);
    }
}
