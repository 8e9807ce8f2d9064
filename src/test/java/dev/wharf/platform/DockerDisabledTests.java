package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Http;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/** With {@code wharf.docker.enabled=false} no Docker port is opened and no certificate is made for one. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "wharf.docker.enabled=false")
@ActiveProfiles("test")
class DockerDisabledTests {

    @LocalServerPort
    int port;

    @Test
    void noCertificateIsMadeAndTheDockerPathsAreNowhere() {
        ApiTeam team = ApiTeam.create(port, "dkd");
        Http.Response refused = team.member().post("/api/v1/teams/" + team.name() + "/docker-certificates", "{\"name\":\"laptop\"}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().get("detail").asString()).contains("wharf.docker.enabled=false");
        assertThat(team.member().get("/api/v1/teams/" + team.name() + "/docker-certificates").json()).isEmpty();
        Http browser = Http.loggedIn(port, team.name() + "-member", ApiTeam.PASSWORD);
        assertThat(browser.get("/docker-engine/_ping").status()).isEqualTo(404);
        assertThat(browser.get("/_ping").status()).isEqualTo(404);
        String page = browser.get("/teams/" + team.name() + "/docker").body();
        assertThat(page).contains("This server does not serve the Docker API").doesNotContain("make-certificate").doesNotContain("tcp://");
    }
}
