package dev.wharf.platform.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Http;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/** {@code wharf.security.local-login=admins-only}: break-glass admins log in with their password, nobody else does (form or HTTP Basic); API tokens still work. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "wharf.security.local-login=admins-only")
@ActiveProfiles("test")
class LocalLoginAdminsOnlyTests {

    static final String PASSWORD = "tidal-ember-4821";

    @LocalServerPort
    int port;

    @Test
    void onlyPlatformAdminsLogInWithAPassword() {
        Http admin = Http.to(port).basic("admin", "test-admin-password");
        assertThat(admin.post("/api/v1/users", "{\"name\":\"carol\",\"password\":\"" + PASSWORD + "\"}").status()).isEqualTo(201);
        assertThat(admin.get("/api/v1/me").status()).isEqualTo(200);

        assertThat(Http.to(port).basic("carol", PASSWORD).get("/api/v1/me").status()).isEqualTo(401);
        Http browser = Http.withCookies(port);
        String page = browser.get("/login").body();
        assertThat(page).contains("Password login is for platform admins only");
        Http.Response form = browser.form("/login", "username=carol&password=" + PASSWORD + "&_csrf=" + Http.csrf(page));
        assertThat(form.header("Location")).endsWith("/login?error");

        // API tokens are not passwords: they keep working
        String token = admin.post("/api/v1/tokens", "{\"name\":\"ci\"}").json().get("token").asString();
        assertThat(Http.to(port).bearer(token).get("/api/v1/me").status()).isEqualTo(200);
    }
}
