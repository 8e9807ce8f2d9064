package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.platform.pki.CertificateAuthority;
import dev.wharf.testing.DockerCli;
import dev.wharf.testing.Http;
import dev.wharf.testing.WorkDirs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * Who reaches the Docker port, checked with the real Docker CLI: a team's certificate works, and
 * nothing else does (no certificate, another authority's, a revoked one, one whose user left the
 * team or was deleted); the Docker port serves only the Docker API and the main port never serves it;
 * a viewer's certificate cannot write.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class DockerAccessTests {

    static Path work;

    @LocalServerPort
    int port;

    @BeforeAll
    static void workDir() throws IOException {
        DockerCli.require();
        work = WorkDirs.create("wharf-docker-access-");
    }

    @AfterAll
    static void cleanUp() throws IOException {
        WorkDirs.delete(work);
    }

    @Test
    void aMembersCertificateRunsDockerVersionAndIsListedWithoutItsKey() throws Exception {
        ApiTeam team = ApiTeam.create(port, "dka");
        DockerClientCert cert = DockerClientCert.issue(team.member(), team.name(), work.resolve("version"));
        JsonNode issued = cert.issued();
        assertThat(issued.get("team").asString()).isEqualTo(team.name());
        assertThat(issued.get("user").asString()).isEqualTo(team.name() + "-member");
        assertThat(issued.get("key").asString()).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Instant.parse(issued.get("expiresAt").asString())).isBetween(Instant.now().plus(Duration.ofDays(29)),
                Instant.now().plus(Duration.ofDays(31)));
        assertThat(issued.get("dockerHost").asString()).startsWith("tcp://").endsWith(":" + cert.dockerPort());

        DockerCli.Result version = cert.cli().run("version");
        assertThat(version.exitCode()).as(version.toString()).isZero();
        assertThat(version.stdout()).contains("Server: Wharf").containsPattern("API version: +1\\.44 \\(minimum version 1\\.40\\)")
                .containsPattern("Engine:\\n +Version: +\\S+");

        JsonNode listed = team.member().get("/api/v1/teams/" + team.name() + "/docker-certificates").json();
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("id").asString()).isEqualTo(cert.id());
        assertThat(listed.get(0).has("key")).isFalse();
        assertThat(listed.toString()).doesNotContain("PRIVATE KEY");
        JsonNode audit = team.admin().get("/api/v1/audit?team=" + team.name() + "&limit=50").json();
        assertThat(audit.toString()).contains("POST /api/v1/teams/{team}/docker-certificates");
    }

    @Test
    void badCertificateRequestsAreRefusedAndMakeNothing() {
        ApiTeam team = ApiTeam.create(port, "dkb");
        String path = "/api/v1/teams/" + team.name() + "/docker-certificates";
        for (String body : new String[] {"{\"name\":\"x\",\"expiresInDays\":0}", "{\"name\":\"x\",\"expiresInDays\":366}",
                "{\"name\":\"  \",\"expiresInDays\":5}", "{\"name\":\"" + "n".repeat(101) + "\"}"}) {
            Http.Response refused = team.member().post(path, body);
            assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
            assertThat(refused.json().get("detail").asString()).as(refused.toString()).isNotBlank();
        }
        assertThat(team.member().get(path).json()).isEmpty();
        // a stranger does not learn that the team exists
        team.admin().post("/api/v1/users", "{\"name\":\"" + team.name() + "-x\",\"password\":\"" + ApiTeam.PASSWORD + "\"}");
        Http stranger = Http.to(port).basic(team.name() + "-x", ApiTeam.PASSWORD);
        assertThat(stranger.post(path, "{\"name\":\"mine\"}").status()).isEqualTo(404);
        assertThat(stranger.get(path).status()).isEqualTo(404);
    }

    @Test
    void openApiDescribesTheCertificatesAndNoDockerPath() {
        JsonNode paths = Http.to(port).get("/v3/api-docs").json().get("paths");
        assertThat(paths.propertyNames()).contains("/api/v1/teams/{team}/docker-certificates",
                "/api/v1/teams/{team}/docker-certificates/{id}");
        assertThat(paths.propertyNames()).noneMatch(path -> path.contains("docker-engine") || path.contains("_ping"));
    }

    @Test
    void withoutAWharfCertificateTheHandshakeFails() throws Exception {
        ApiTeam team = ApiTeam.create(port, "dkc");
        DockerClientCert cert = DockerClientCert.issue(team.member(), team.name(), work.resolve("nocert"));
        String ca = cert.issued().get("ca").asString();

        HttpClient noCertificate = HttpClient.newBuilder().sslContext(DockerClientCert.tls(ca, null, null)).build();
        assertThatThrownBy(() -> noCertificate.send(HttpRequest.newBuilder(URI.create("https://localhost:" + cert.dockerPort() + "/_ping"))
                .build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);

        CertificateAuthority other = CertificateAuthority.create("Other CA", Instant.now(), Duration.ofDays(10));
        CertificateAuthority.Identity forged = other.issueClient(team.name() + "-member@" + team.name(), Instant.now(), Duration.ofDays(1));
        DockerCli foreign = DockerCli.at(work.resolve("foreign"), "tcp://localhost:" + cert.dockerPort(), ca,
                CertificateAuthority.pem(forged.certificate()), CertificateAuthority.pem(forged.key()));
        DockerCli.Result refused = foreign.run("version", "--format", "{{.Server.Version}}");
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        assertThat(refused.stderr()).containsIgnoringCase("certificate");
        assertThat(refused.stdout()).isBlank();

        // the server's certificate is the Docker CA's, for localhost: the CLI checked it (a plain connection would not do)
        DockerCli.Result ok = cert.cli().run("version", "--format", "{{.Server.Version}}");
        assertThat(ok.exitCode()).as(ok.toString()).isZero();
    }

    @Test
    void aRevokedCertificateIsRefusedAtItsNextRequest() throws Exception {
        ApiTeam team = ApiTeam.create(port, "dkd");
        DockerClientCert cert = DockerClientCert.issue(team.member(), team.name(), work.resolve("revoked"));
        Http docker = cert.http();
        assertThat(docker.get("/_ping").status()).isEqualTo(200); // the connection stays open

        assertThat(team.member().delete("/api/v1/teams/" + team.name() + "/docker-certificates/" + cert.id()).status()).isEqualTo(204);

        Http.Response refused = docker.get("/v1.41/version");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().get("message").asString()).isEqualTo("this client certificate was revoked");
        DockerCli.Result cli = cert.cli().run("version");
        assertThat(cli.exitCode()).as(cli.toString()).isNotZero();
        assertThat(cli.stderr()).contains("this client certificate was revoked");
        JsonNode listed = team.member().get("/api/v1/teams/" + team.name() + "/docker-certificates").json();
        assertThat(listed.get(0).get("revokedAt").isNull()).isFalse();
    }

    @Test
    void aCertificateStopsWhenItsUserLeavesTheTeamOrIsDeleted() throws Exception {
        ApiTeam team = ApiTeam.create(port, "dke");
        DockerClientCert cert = DockerClientCert.issue(team.member(), team.name(), work.resolve("left"));
        Http docker = cert.http();
        assertThat(docker.get("/version").status()).isEqualTo(200);

        assertThat(team.admin().delete("/api/v1/teams/" + team.name() + "/members/" + team.name() + "-member").status()).isEqualTo(204);
        Http.Response left = docker.get("/version");
        assertThat(left.status()).isEqualTo(403);
        assertThat(left.json().get("message").asString()).contains("no longer a member of team \"" + team.name() + "\"");
        DockerCli.Result cli = cert.cli().run("version");
        assertThat(cli.exitCode()).isNotZero();
        assertThat(cli.stderr()).contains("no longer a member");

        // back in the team as a viewer: the certificate acts with the role the user has now
        team.admin().put("/api/v1/teams/" + team.name() + "/members/" + team.name() + "-member", "{\"role\":\"viewer\"}");
        assertThat(docker.get("/version").status()).isEqualTo(200);
        assertThat(docker.post("/images/prune", "").status()).isEqualTo(403);

        assertThat(team.admin().delete("/api/v1/users/" + team.name() + "-member").status()).isEqualTo(204);
        Http.Response deleted = docker.get("/version");
        assertThat(deleted.status()).isEqualTo(401);
        assertThat(deleted.json().get("message").asString()).isEqualTo("this client certificate is not known to Wharf");
    }

    @Test
    void theDockerPortServesOnlyTheDockerApiAndTheMainPortNeverServesIt() throws Exception {
        ApiTeam team = ApiTeam.create(port, "dkf");
        DockerClientCert cert = DockerClientCert.issue(team.member(), team.name(), work.resolve("ports"));
        Http docker = cert.http().basic("admin", ApiFlowTests.ADMIN_PASSWORD);

        for (String path : new String[] {"/api/v1/teams", "/api/v1/teams/" + team.name() + "/docker-certificates", "/login", "/",
                "/actuator/health", "/v3/api-docs", "/docker-engine/_ping", "/v1.41/api/v1/teams"}) {
            Http.Response response = docker.get(path);
            assertThat(response.status()).as(response.toString()).isEqualTo(404);
            assertThat(response.json().get("message").asString()).isEqualTo("page not found");
        }
        // dot segments, raw or encoded, never climb out of the Docker API
        for (String path : new String[] {"/v1.41/../api/v1/teams", "/../api/v1/teams", "/images/../../api/v1/teams",
                "/v1.41/%2e%2e/api/v1/teams", "/images/%2e%2e%2f%2e%2e%2fapi/v1/teams"}) {
            Http.Response response = docker.get(path);
            assertThat(response.status()).as(response.toString()).isIn(400, 404);
            assertThat(response.body()).as(path).doesNotContain(team.name());
        }
        Http.Response tooOld = docker.get("/v1.39/version");
        assertThat(tooOld.status()).isEqualTo(400);
        assertThat(tooOld.json().get("message").asString()).contains("Minimum supported API version is 1.40");
        assertThat(docker.get("/v1.45/version").status()).isEqualTo(400);
        assertThat(docker.get("/v1.40/version").json().get("ApiVersion").asString()).isEqualTo("1.44");

        Http.Response ping = docker.send("HEAD", "/_ping", null, null);
        assertThat(ping.status()).isEqualTo(200);
        assertThat(ping.header("Api-Version")).isEqualTo("1.44");
        assertThat(ping.header("OSType")).isEqualTo("linux");
        assertThat(docker.get("/v1.44/_ping").body()).isEqualTo("OK");

        Http admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        Http browser = Http.loggedIn(port, "admin", ApiFlowTests.ADMIN_PASSWORD);
        for (String path : new String[] {"/_ping", "/version", "/v1.41/version", "/docker-engine/_ping", "/docker-engine/version",
                "/docker%2Dengine/_ping", "/docker%2dengine/version", "/%64ocker-engine/_ping", "/docker-engine;x=1/_ping"}) {
            assertThat(browser.get(path).status()).as(path).isIn(400, 404);
            assertThat(browser.get(path).body()).doesNotContain("ApiVersion").isNotEqualTo("OK");
            assertThat(admin.get(path).body()).doesNotContain("ApiVersion");
        }
    }

    @Test
    void aViewerReadsButCannotWriteAndAMemberCan() throws Exception {
        ApiTeam team = ApiTeam.create(port, "dkg");
        String viewerName = team.name() + "-viewer";
        team.admin().post("/api/v1/users", "{\"name\":\"" + viewerName + "\",\"password\":\"" + ApiTeam.PASSWORD + "\"}");
        team.admin().put("/api/v1/teams/" + team.name() + "/members/" + viewerName, "{\"role\":\"viewer\"}");
        Http viewerRest = Http.to(port).basic(viewerName, ApiTeam.PASSWORD);
        DockerClientCert viewer = DockerClientCert.issue(viewerRest, team.name(), work.resolve("viewer"));
        DockerClientCert member = DockerClientCert.issue(team.member(), team.name(), work.resolve("member"));

        assertThat(viewer.cli().run("version").exitCode()).isZero();
        DockerCli.Result refused = viewer.cli().run("image", "prune", "-f");
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        assertThat(refused.stderr()).contains("you are a viewer of team \"" + team.name() + "\" and cannot remove images");
        DockerCli.Result pruned = member.cli().run("image", "prune", "-f");
        assertThat(pruned.exitCode()).as(pruned.toString()).isZero();
        assertThat(pruned.stdout()).contains("Total reclaimed space: 0B");
        // both went to the team's audit log, as their users, through the Docker API with their certificates
        JsonNode audit = team.admin().get("/api/v1/audit?team=" + team.name() + "&limit=100").json();
        assertThat(audit.toString()).contains("\"actor\":\"" + viewerName + "\"").contains("\"actor\":\"" + team.name() + "-member\"")
                .contains("\"authMethod\":\"docker\"").contains("\"tokenId\":\"" + member.id() + "\"")
                .contains("\"outcome\":\"failure\"").contains("\"outcome\":\"success\"");

        // each sees only their own certificates; the viewer cannot revoke the member's
        assertThat(viewerRest.get("/api/v1/teams/" + team.name() + "/docker-certificates").json()).hasSize(1);
        assertThat(viewerRest.delete("/api/v1/teams/" + team.name() + "/docker-certificates/" + member.id()).status()).isEqualTo(404);
        assertThat(member.cli().run("version").exitCode()).isZero();
        // the team's owner (here the admin) sees both
        assertThat(team.admin().get("/api/v1/teams/" + team.name() + "/docker-certificates").json()).hasSize(2);
    }
}
