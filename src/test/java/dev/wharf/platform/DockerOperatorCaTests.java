package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.platform.pki.CertificateAuthority;
import dev.wharf.testing.DockerCli;
import dev.wharf.testing.Http;
import dev.wharf.testing.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An operator's own CA for the Docker API: the server's and the clients' certificates are signed by it,
 * and the answer hands it out as {@code ca}; a certificate the operator signs outside Wharf still acts for nobody.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class DockerOperatorCaTests {

    static Path work;
    static CertificateAuthority operator;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void operatorCa(DynamicPropertyRegistry properties) throws Exception {
        work = WorkDirs.create("wharf-docker-ca-");
        operator = CertificateAuthority.create("Example Corp Docker CA", Instant.now(), Duration.ofDays(30));
        Files.writeString(work.resolve("ca.pem"), operator.certificatePem());
        Files.writeString(work.resolve("ca-key.pem"), operator.privateKeyPem());
        properties.add("wharf.docker.ca-certificate", () -> work.resolve("ca.pem").toString());
        properties.add("wharf.docker.ca-key", () -> work.resolve("ca-key.pem").toString());
    }

    @AfterAll
    static void cleanUp() throws Exception {
        WorkDirs.delete(work);
    }

    @Test
    void theOperatorsCaSignsTheServerAndTheClients() throws Exception {
        DockerCli.require();
        ApiTeam team = ApiTeam.create(port, "dko");
        DockerClientCert cert = DockerClientCert.issue(team.member(), team.name(), work.resolve("client"));
        assertThat(cert.issued().get("ca").asString()).isEqualTo(operator.certificatePem());
        assertThat(CertificateAuthority.readCertificate(cert.issued().get("cert").asString()).getIssuerX500Principal())
                .isEqualTo(operator.certificate().getSubjectX500Principal());
        DockerCli.Result version = cert.cli().run("version", "--format", "{{.Server.Platform.Name}}");
        assertThat(version.exitCode()).as(version.toString()).isZero();

        CertificateAuthority.Identity outside = operator.issueClient(team.name() + "-member@" + team.name(), Instant.now(), Duration.ofDays(1));
        Http.Response refused = Http.tls("localhost", cert.dockerPort(), DockerClientCert.tls(operator.certificatePem(),
                CertificateAuthority.pem(outside.certificate()), CertificateAuthority.pem(outside.key()))).get("/version");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().get("message").asString()).isEqualTo("this client certificate is not known to Wharf");
    }
}
