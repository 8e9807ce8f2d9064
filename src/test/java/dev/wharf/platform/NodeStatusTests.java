package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.WharfApplication;
import dev.wharf.testing.Http;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** A host that cannot run containers still gets a working control plane that says why. */
class NodeStatusTests {

    @TempDir
    Path dataDir;

    @Test
    void theLocalNodeIsShownDownWithAReadableReason() {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(WharfApplication.class).run("--server.port=0",
                "--wharf.data-dir=" + dataDir, "--logging.level.root=warn", "--spring.main.banner-mode=off",
                "--WHARF_ADMIN_PASSWORD=node-test-password", "--wharf.runtime.runc=/nonexistent/runc")) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            Http admin = Http.to(port).basic("admin", "node-test-password");
            JsonNode nodes = admin.get("/api/v1/nodes").json();
            assertThat(nodes).hasSize(1);
            assertThat(nodes.get(0).get("name").asString()).isEqualTo("local");
            assertThat(nodes.get(0).get("state").asString()).isEqualTo("down");
            String problems = nodes.get(0).get("problems").toString();
            assertThat(problems).satisfiesAnyOf(
                    p -> assertThat(p).contains("runc not found (/nonexistent/runc): install the runc package"),
                    p -> assertThat(p).contains("not running as root"));

            Http browser = Http.withCookies(port);
            String csrf = ApiFlowTests.csrf(browser.get("/login").body());
            browser.form("/login", "username=admin&password=node-test-password&_csrf=" + csrf);
            assertThat(browser.get("/").body()).contains("Node local is down: it cannot run containers.");

            String plain = "plain-user";
            admin.post("/api/v1/users", "{\"name\":\"" + plain + "\",\"password\":\"plain-password\"}");
            assertThat(Http.to(port).basic(plain, "plain-password").get("/api/v1/nodes").status()).isEqualTo(403);
        }
    }
}
