package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.DockerCli;
import dev.wharf.testing.Http;
import dev.wharf.testing.OpenIdProvider;
import dev.wharf.testing.WorkDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A CI job gets a Docker certificate with its own job token (a JWT of a trusted issuer, a real OpenID
 * provider on a loopback port) and uses it with the real Docker CLI: the certificate holds the team role
 * the token's rule gives and nothing more, lasts no longer than the token, is seen and revoked only by
 * the same job identity (and the team's owners), and a token that is about to expire gets none.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class DockerJobTokenTests {

    static final String TEAM = "dkjob-" + UUID.randomUUID().toString().substring(0, 6);
    static final String OTHER = TEAM + "-b";
    static final String AUDIENCE = "wharf-docker";

    static OpenIdProvider ci = OpenIdProvider.start();
    static Path work;

    @LocalServerPort
    int port;

    Http admin;

    @DynamicPropertySource
    static void trust(DynamicPropertyRegistry properties) {
        String prefix = "wharf.oidc.trusted-jwt-issuers[0].";
        properties.add(prefix + "issuer", () -> ci.issuer().toString());
        properties.add(prefix + "audience", () -> AUDIENCE);
        properties.add(prefix + "rules[0].claim", () -> "project_path");
        properties.add(prefix + "rules[0].equals", () -> "shop/app");
        properties.add(prefix + "rules[0].team", () -> TEAM);
        properties.add(prefix + "rules[0].role", () -> "member");
        properties.add(prefix + "rules[1].claim", () -> "project_path");
        properties.add(prefix + "rules[1].equals", () -> "shop/docs");
        properties.add(prefix + "rules[1].team", () -> TEAM);
        properties.add(prefix + "rules[1].role", () -> "viewer");
    }

    @BeforeAll
    static void workDir() throws IOException {
        DockerCli.require();
        work = WorkDirs.create("wharf-docker-job-");
    }

    @AfterAll
    static void cleanUp() throws IOException {
        WorkDirs.delete(work);
    }

    @BeforeEach
    void teams() {
        admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        for (String team : new String[] {TEAM, OTHER}) {
            if (admin.get("/api/v1/teams/" + team).status() == 404) {
                assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}").status()).isEqualTo(201);
            }
        }
    }

    static String job(String project, String ref, long secondsLeft) {
        Map<String, Object> claims = new HashMap<>();
        claims.put("sub", "project_path:" + project + ":ref:" + ref);
        claims.put("aud", AUDIENCE);
        claims.put("project_path", project);
        claims.put("iat", Instant.now().getEpochSecond());
        claims.put("exp", Instant.now().plusSeconds(secondsLeft).getEpochSecond());
        return ci.jwt(claims);
    }

    Http as(String jwt) {
        return Http.to(port).bearer(jwt);
    }

    @Test
    void aJobTokensCertificateActsAsItsTeamRoleAndLastsNoLongerThanTheToken() throws Exception {
        Instant tokenExpiry = Instant.now().plusSeconds(600);
        Http job = as(job("shop/app", "main", 600));
        DockerClientCert cert = DockerClientCert.issue(job, TEAM, work.resolve("job"));
        JsonNode issued = cert.issued();
        assertThat(issued.get("user").asString()).isEqualTo("jwt:project_path:shop/app:ref:main");
        // asked for 30 days, given the token's remaining ten minutes
        assertThat(Instant.parse(issued.get("expiresAt").asString())).isAfter(Instant.now()).isBeforeOrEqualTo(tokenExpiry.plusSeconds(1));

        DockerCli.Result info = cert.cli().run("info", "--format", "{{.OperatingSystem}}");
        assertThat(info.exitCode()).as(info.toString()).isZero();
        assertThat(info.stdout()).contains("Wharf");
        DockerCli.Result pruned = cert.cli().run("image", "prune", "-f");
        assertThat(pruned.exitCode()).as(pruned.toString()).isZero();
        JsonNode audit = admin.get("/api/v1/audit?team=" + TEAM + "&limit=100").json();
        assertThat(audit.toString()).contains("\"actor\":\"jwt:project_path:shop/app:ref:main\"").contains("\"authMethod\":\"docker\"")
                .contains("\"tokenId\":\"" + cert.id() + "\"");

        // the same job identity sees it (a later token of the same job too), another job does not, the owner does
        assertThat(as(job("shop/app", "main", 300)).get("/api/v1/teams/" + TEAM + "/docker-certificates").json().toString())
                .contains(cert.id()).doesNotContain("PRIVATE KEY");
        Http otherJob = as(job("shop/docs", "main", 300));
        assertThat(otherJob.get("/api/v1/teams/" + TEAM + "/docker-certificates").json().toString()).doesNotContain(cert.id());
        assertThat(otherJob.delete("/api/v1/teams/" + TEAM + "/docker-certificates/" + cert.id()).status()).isEqualTo(404);
        assertThat(admin.get("/api/v1/teams/" + TEAM + "/docker-certificates").json().toString()).contains(cert.id());
        assertThat(cert.cli().run("version").exitCode()).isZero();

        // the job revokes it; its next Docker call is refused
        assertThat(job.delete("/api/v1/teams/" + TEAM + "/docker-certificates/" + cert.id()).status()).isEqualTo(204);
        DockerCli.Result refused = cert.cli().run("version");
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
    }

    @Test
    void aViewerJobsCertificateCannotWrite() throws Exception {
        DockerClientCert cert = DockerClientCert.issue(as(job("shop/docs", "main", 600)), TEAM, work.resolve("viewer"));
        assertThat(cert.cli().run("version").exitCode()).isZero();
        DockerCli.Result refused = cert.cli().run("image", "prune", "-f");
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        assertThat(refused.stderr()).contains("you are a viewer of team \"" + TEAM + "\"");
    }

    @Test
    void aTokenAboutToExpireOrOfAnotherTeamGetsNoCertificate() {
        int before = admin.get("/api/v1/teams/" + TEAM + "/docker-certificates").json().size();
        Http.Response dying = as(job("shop/app", "main", 30)).post("/api/v1/teams/" + TEAM + "/docker-certificates",
                "{\"name\":\"ci\",\"expiresInDays\":1}");
        assertThat(dying.status()).as(dying.toString()).isEqualTo(403);
        assertThat(dying.json().get("detail").asString()).contains("lasts as long as the token");

        Http.Response elsewhere = as(job("shop/app", "main", 600)).post("/api/v1/teams/" + OTHER + "/docker-certificates",
                "{\"name\":\"ci\",\"expiresInDays\":1}");
        assertThat(elsewhere.status()).as(elsewhere.toString()).isEqualTo(404);
        assertThat(admin.get("/api/v1/teams/" + TEAM + "/docker-certificates").json().size()).isEqualTo(before);
        assertThat(admin.get("/api/v1/teams/" + OTHER + "/docker-certificates").json().size()).isZero();
    }
}
