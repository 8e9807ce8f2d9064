package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.platform.pki.CertificateAuthority;
import dev.wharf.testing.DockerCli;
import dev.wharf.testing.Http;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import tools.jackson.databind.JsonNode;

/**
 * A Docker client certificate made over the REST API for one user of a team, with the real Docker
 * CLI ({@link #cli}) and a plain HTTPS client ({@link #http}) that present it to the Docker port.
 *
 * <pre>{@code
 * ApiTeam team = ApiTeam.create(port, "dk");
 * DockerClientCert cert = DockerClientCert.issue(team.member(), team.name(), workDir.resolve("member"));
 * DockerCli.Result r = cert.cli().run("version");
 * }</pre>
 *
 * @param issued     the answer of {@code POST /api/v1/teams/{team}/docker-certificates} (with its key)
 * @param dockerPort the Docker port (read from the answer's {@code dockerHost})
 * @param cli        the Docker CLI with this certificate, talking to {@code tcp://localhost:<dockerPort>}
 */
record DockerClientCert(JsonNode issued, int dockerPort, DockerCli cli) {

    static DockerClientCert issue(Http user, String team, Path dir) throws Exception {
        Http.Response made = user.post("/api/v1/teams/" + team + "/docker-certificates", "{\"name\":\"laptop\",\"expiresInDays\":30}");
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        JsonNode issued = made.json();
        int dockerPort = URI.create(issued.get("dockerHost").asString()).getPort();
        DockerCli cli = DockerCli.at(dir, "tcp://localhost:" + dockerPort, issued.get("ca").asString(), issued.get("cert").asString(),
                issued.get("key").asString());
        return new DockerClientCert(issued, dockerPort, cli);
    }

    String id() {
        return issued.get("id").asString();
    }

    /** An HTTPS client of the Docker port presenting this certificate and trusting only the Docker CA. */
    Http http() {
        return Http.tls("localhost", dockerPort, tls(issued.get("ca").asString(), issued.get("cert").asString(), issued.get("key").asString()));
    }

    /** A TLS context presenting {@code certPem} with {@code keyPem} ({@code null}: no certificate) and trusting {@code caPem} only. */
    static SSLContext tls(String caPem, String certPem, String keyPem) {
        try {
            char[] password = "test".toCharArray();
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("ca", CertificateAuthority.readCertificate(caPem));
            TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
            trust.init(trusted);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            KeyStore own = KeyStore.getInstance("PKCS12");
            own.load(null, null);
            if (certPem != null) {
                own.setKeyEntry("me", CertificateAuthority.readPrivateKey(keyPem), password, new Certificate[] {CertificateAuthority.readCertificate(certPem)});
            }
            keys.init(own, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
