package dev.wharf.platform.docker;

import dev.wharf.platform.pki.CertificateAuthority;
import dev.wharf.platform.pki.StoredAuthorities;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.KeyStore;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The Docker API's own certificate authority (kept as {@code docker} by {@link StoredAuthorities}, or an
 * operator's from {@code wharf.docker.ca-certificate} and {@code wharf.docker.ca-key}; apart
 * from the one nodes trust, so no Docker client certificate can ever speak to a node): it signs the
 * server certificate of the Docker port, made fresh at each start for localhost, 127.0.0.1, ::1, this
 * host's name and {@code wharf.docker.hostnames}, and the client certificates teams get.
 */
@Component
class DockerAuthority {

    static final String NAME = "docker";
    static final Duration SERVER_VALIDITY = Duration.ofDays(365);

    private final StoredAuthorities authorities;
    private final DockerSettings settings;
    private final Clock clock;
    private volatile CertificateAuthority authority;

    DockerAuthority(StoredAuthorities authorities, DockerSettings settings, Clock clock) {
        this.authorities = authorities;
        this.settings = settings;
        this.clock = clock;
    }

    CertificateAuthority authority() {
        CertificateAuthority known = authority;
        if (known == null) {
            known = settings.caCertificate() != null || settings.caKey() != null ? operators()
                    : authorities.named(NAME, "Wharf Docker CA", "Docker API certificates");
            authority = known;
        }
        return known;
    }

    /** The operator's CA from {@code wharf.docker.ca-certificate} and {@code wharf.docker.ca-key}; a start without both fails. */
    private CertificateAuthority operators() {
        if (settings.caCertificate() == null || settings.caKey() == null) {
            throw new IllegalStateException("wharf.docker.ca-certificate and wharf.docker.ca-key go together: set both or neither");
        }
        try {
            CertificateAuthority ca = CertificateAuthority.read(java.nio.file.Files.readString(settings.caCertificate()),
                    java.nio.file.Files.readString(settings.caKey()));
            if (ca.certificate().getBasicConstraints() < 0) {
                throw new IllegalStateException(settings.caCertificate() + " is not a CA certificate (no basicConstraints CA:true)");
            }
            return ca;
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read the Docker API's CA from " + settings.caCertificate() + " and " + settings.caKey()
                    + ": " + e.getMessage(), e);
        }
    }

    String certificatePem() {
        return authority().certificatePem();
    }

    /** A client certificate for {@code commonName}, valid for {@code validity}. */
    CertificateAuthority.Identity issueClient(String commonName, Duration validity) {
        return authority().issueClient(commonName, clock.instant(), validity);
    }

    /** The names the server certificate is valid for. */
    Set<String> serverHosts() {
        Set<String> hosts = new LinkedHashSet<>(java.util.List.of("localhost", "127.0.0.1", "::1"));
        try {
            InetAddress local = InetAddress.getLocalHost();
            hosts.add(local.getHostName());
            hosts.add(local.getCanonicalHostName());
        } catch (UnknownHostException e) {
            // a host without a resolvable name: the configured names and loopback remain
        }
        settings.hostnames().stream().map(String::strip).filter(h -> !h.isEmpty()).forEach(hosts::add);
        return hosts;
    }

    /** The host a new certificate's {@code dockerHost} names: the first configured name, else this host's name. */
    String advertisedHost() {
        return settings.hostnames().stream().map(String::strip).filter(h -> !h.isEmpty()).findFirst()
                .orElseGet(() -> serverHosts().stream().skip(3).findFirst().orElse("localhost"));
    }

    /** A key store holding a fresh server certificate (alias {@code docker}) under {@code password}. */
    KeyStore serverKeyStore(char[] password) {
        CertificateAuthority ca = authority();
        CertificateAuthority.Identity server = ca.issueServer("Wharf Docker API", serverHosts(), clock.instant(), SERVER_VALIDITY);
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("docker", server.key(), password, new Certificate[] {server.certificate(), ca.certificate()});
            return keys;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot hold the Docker API's server certificate", e);
        }
    }

    /** A trust store holding this authority only: the Docker port accepts no other client certificates. */
    KeyStore trustStore() {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("wharf-docker-ca", authority().certificate());
            return trusted;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot hold the Docker API's certificate authority", e);
        }
    }
}
