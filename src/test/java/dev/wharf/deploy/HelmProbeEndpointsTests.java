package dev.wharf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/**
 * The paths the Helm chart's probes (and the image's HEALTHCHECK) call answer without
 * credentials, and give away no details.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class HelmProbeEndpointsTests {

    @LocalServerPort
    int port;

    @Test
    void livenessAndReadinessArePublicAndUp() {
        Http anonymous = Http.to(port);
        for (String path : new String[] {"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"}) {
            Response response = anonymous.get(path);
            assertThat(response.status()).as(path + ": " + response).isEqualTo(200);
            assertThat(response.json().get("status").asString()).isEqualTo("UP");
            assertThat(response.json().has("components")).as(path).isFalse();
        }
    }
}
