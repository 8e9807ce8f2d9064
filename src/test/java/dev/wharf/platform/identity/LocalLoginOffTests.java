package dev.wharf.platform.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Http;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/** {@code wharf.security.local-login=off}: no password logs anyone in, not even an admin's; the login page has no password form. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "wharf.security.local-login=off")
@ActiveProfiles("test")
class LocalLoginOffTests {

    @LocalServerPort
    int port;

    @Test
    void nobodyLogsInWithAPassword() {
        assertThat(Http.to(port).basic("admin", "test-admin-password").get("/api/v1/me").status()).isEqualTo(401);
        Http browser = Http.withCookies(port);
        String page = browser.get("/login").body();
        assertThat(page).doesNotContain("id=\"password\"");
        browser.form("/login", "username=admin&password=test-admin-password");
        assertThat(browser.get("/").status()).isEqualTo(302);
    }
}
