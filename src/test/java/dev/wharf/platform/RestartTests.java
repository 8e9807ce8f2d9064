package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.WharfApplication;
import dev.wharf.testing.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * All-in-one on an H2 file under the data dir: the first start writes the admin password file
 * (0600), and teams, members and tokens survive a restart.
 */
class RestartTests {

    @TempDir
    Path dataDir;

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(WharfApplication.class).run("--server.port=0", "--wharf.data-dir=" + dataDir,
                "--logging.level.root=warn", "--spring.main.banner-mode=off");
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void firstStartWritesThePasswordFileAndEverythingSurvivesARestart(CapturedOutput output) throws Exception {
        String token;
        try (ConfigurableApplicationContext first = start()) {
            Path file = dataDir.resolve("initial-admin-password");
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            String password = Files.readString(file).strip();
            assertThat(password).hasSizeGreaterThanOrEqualTo(16);
            // the log (kept, shipped, read by more people than root) names the file, never the password
            assertThat(output.getAll()).contains(file.toAbsolutePath().toString()).doesNotContain(password);
            Http admin = Http.to(port(first)).basic("admin", password);
            assertThat(admin.post("/api/v1/teams", "{\"name\":\"kept\"}").status()).isEqualTo(201);
            assertThat(admin.post("/api/v1/users", "{\"name\":\"ivan\",\"password\":\"tidal-ember-4821\"}").status()).isEqualTo(201);
            assertThat(admin.put("/api/v1/teams/kept/members/ivan", "{\"role\":\"owner\"}").status()).isEqualTo(200);
            token = admin.post("/api/v1/tokens", "{\"name\":\"keep\"}").json().get("token").asString();
        }
        assertThat(Files.exists(dataDir.resolve("db"))).isTrue();
        String passwordBefore = Files.readString(dataDir.resolve("initial-admin-password"));

        try (ConfigurableApplicationContext second = start()) {
            Http api = Http.to(port(second));
            var me = api.bearer(token).get("/api/v1/me");
            assertThat(me.status()).isEqualTo(200);
            var ivan = api.basic("ivan", "tidal-ember-4821").get("/api/v1/me").json();
            assertThat(ivan.get("teams").get(0).get("name").asString()).isEqualTo("kept");
            assertThat(ivan.get("teams").get(0).get("role").asString()).isEqualTo("owner");
            assertThat(api.bearer(token).get("/api/v1/audit?limit=1000").json().toString()).contains("/api/v1/teams/kept");
        }
        assertThat(Files.readString(dataDir.resolve("initial-admin-password"))).as("no second admin is made").isEqualTo(passwordBefore);
    }

    @Test
    void basicAuthCanBeSwitchedOffWhileTokensKeepWorking() {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(WharfApplication.class).run(
                "--server.port=0", "--wharf.data-dir=" + dataDir, "--logging.level.root=warn", "--spring.main.banner-mode=off",
                "--WHARF_ADMIN_PASSWORD=switch-password", "--wharf.security.api-basic-auth=false")) {
            Http api = Http.to(port(context));
            var refused = api.basic("admin", "switch-password").get("/api/v1/me");
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.header("WWW-Authenticate")).doesNotContain("Basic");
            // the dashboard's login still works, and a token made there works on the API
            Http browser = Http.withCookies(port(context));
            String csrf = ApiFlowTests.csrf(browser.get("/login").body());
            assertThat(browser.form("/login", "username=admin&password=switch-password&_csrf=" + csrf).header("Location"))
                    .doesNotContain("error");
            String pageCsrf = browser.get("/tokens").body().replaceAll("(?s).*name=\"_csrf\" content=\"([^\"]+)\".*", "$1");
            String token = browser.header("X-CSRF-TOKEN", pageCsrf).post("/api/v1/tokens", "{\"name\":\"t\"}").json().get("token").asString();
            assertThat(api.bearer(token).get("/api/v1/me").status()).isEqualTo(200);
        }
    }
}
