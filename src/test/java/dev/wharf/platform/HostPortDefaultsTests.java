package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/**
 * With Wharf's defaults no team publishes a privileged port of the node (80, 443, 22): the
 * request is a 400 at the field that names the range, and nothing is created. (An admin who
 * widens {@code wharf.network.host-ports} lets it through: {@code NetworkApiTests}.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class HostPortDefaultsTests {

    @LocalServerPort
    int port;

    @Test
    void publishingPort80IsRefusedByDefaultNamingTheRange() {
        Http admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        String team = "hp-" + UUID.randomUUID().toString().substring(0, 6);
        assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}").status()).isEqualTo(201);
        for (int privileged : new int[] {80, 443, 1023}) {
            Response refused = admin.post("/api/v1/teams/" + team + "/containers", "{\"name\":\"web\",\"image\":\"busybox:1\","
                    + "\"ports\":[{\"containerPort\":80,\"hostPort\":" + privileged + "}]}");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
            assertThat(refused.body()).contains("ports[0].hostPort");
            assertThat(refused.json().get("detail").asString()).contains("host port " + privileged).contains("1024-65535");
        }
        assertThat(admin.get("/api/v1/teams/" + team + "/containers").json()).isEmpty();
    }
}
