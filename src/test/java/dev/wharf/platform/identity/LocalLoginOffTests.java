package dev.wharf.platform.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Http;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/**
 * {@code wharf.security.local-login=off}: no password logs anyone in, not even an admin's; the login page has no password
 * form, only the provider's button. The provider here does not answer (nothing listens on its port): the button leads
 * back to the login page, which says so.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {"wharf.security.local-login=off",
        "wharf.oidc.providers.down.issuer=http://127.0.0.1:9/down", "wharf.oidc.providers.down.client-id=wharf",
        "wharf.oidc.providers.down.display-name=Down SSO"})
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

        assertThat(page).contains("Log in with Down SSO");
        Http.Response start = browser.get("/oauth2/authorization/down");
        assertThat(start.status()).isEqualTo(302);
        assertThat(start.header("Location")).endsWith("/login?refused");
        assertThat(browser.get("/login?refused").body()).contains("does not answer at http://127.0.0.1:9/down");
    }
}
