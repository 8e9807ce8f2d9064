package dev.wharf.platform.docker;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The Docker Engine API ({@code wharf.docker.*}).
 *
 * @param enabled   whether the server serves it at all
 * @param port      its TLS port (0: any free one, which tests use)
 * @param hostnames more names (and addresses) the server certificate is valid for, besides localhost,
 *                  127.0.0.1, ::1 and this host's name; the first one is the host of the {@code dockerHost}
 *                  that a new certificate's answer suggests
 * @param caCertificate an operator's own CA for the Docker API (a PEM file), used in place of the one Wharf makes;
 *                      with {@code caKey}, its PKCS#8 EC private key (a PEM file): it signs the server's and the
 *                      clients' certificates
 */
@ConfigurationProperties("wharf.docker")
record DockerSettings(@DefaultValue("true") boolean enabled, @DefaultValue("2376") int port, @DefaultValue List<String> hostnames,
        java.nio.file.Path caCertificate, java.nio.file.Path caKey) {
}
