package dev.wharf.platform.pki;

import dev.wharf.platform.secret.SecretBox;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The server's {@link CertificateAuthority}: made at the first start and kept in the
 * {@code certificate_authorities} table, its key sealed with {@code wharf.secrets.key}, so every
 * replica on the same database signs and trusts with the same one. Two replicas starting together
 * race on one insert; the loser reads the winner's.
 */
@Configuration
class AuthorityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AuthorityConfiguration.class);
    static final String NAME = "wharf";
    static final Duration VALIDITY = Duration.ofDays(3650);

    @Bean
    CertificateAuthority certificateAuthority(JdbcTemplate jdbc, SecretBox secrets, Clock clock) {
        CertificateAuthority stored = find(jdbc, secrets);
        if (stored != null) {
            return stored;
        }
        CertificateAuthority fresh = CertificateAuthority.create("Wharf CA", clock.instant(), VALIDITY);
        try {
            jdbc.update("insert into certificate_authorities (name, certificate, private_key, created_at) values (?, ?, ?, ?)", NAME,
                    fresh.certificatePem(), secrets.seal(fresh.privateKeyPem()), clock.instant().atOffset(ZoneOffset.UTC));
            log.info("made Wharf's certificate authority (it signs node certificates; valid until {})",
                    fresh.certificate().getNotAfter().toInstant());
            return fresh;
        } catch (DuplicateKeyException anotherReplicaWasFirst) {
            return find(jdbc, secrets);
        }
    }

    private static CertificateAuthority find(JdbcTemplate jdbc, SecretBox secrets) {
        List<CertificateAuthority> found = jdbc.query("select certificate, private_key from certificate_authorities where name = ?",
                (rs, i) -> CertificateAuthority.read(rs.getString("certificate"), secrets.open(rs.getString("private_key"))), NAME);
        return found.isEmpty() ? null : found.get(0);
    }
}
