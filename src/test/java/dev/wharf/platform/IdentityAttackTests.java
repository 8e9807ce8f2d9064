package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.FromAddress;
import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * Attacks on accounts, over real HTTP: guessing an admin's password from one address, an admin
 * demoted while logged in, sessions and tokens that outlive a password change, trivial passwords.
 * Clients on 127.0.0.2 and 127.0.0.3 are different addresses to the server (127/8 is loopback).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class IdentityAttackTests {

    static final String ADMIN_PASSWORD = ApiFlowTests.ADMIN_PASSWORD;
    static final String STRONG = "tidal-ember-4821";

    @LocalServerPort
    int port;

    Http admin;

    @BeforeEach
    void clients() {
        admin = Http.to(port).basic("admin", ADMIN_PASSWORD);
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    Response ok(Response response, int expected) {
        assertThat(response.status()).as(response.toString()).isEqualTo(expected);
        return response;
    }

    String createUser(String name, String password, boolean isAdmin) {
        ok(admin.post("/api/v1/users", "{\"name\":\"" + name + "\",\"password\":\"" + password + "\",\"admin\":" + isAdmin + "}"), 201);
        return name;
    }

    Http session(String user, String password) {
        Http browser = Http.withCookies(port);
        String csrf = Http.csrf(ok(browser.get("/login"), 200).body());
        Response login = browser.form("/login", "username=" + user + "&password=" + encode(password) + "&_csrf=" + csrf);
        assertThat(login.status()).isEqualTo(302);
        assertThat(login.header("Location")).doesNotContain("error").doesNotContain("locked");
        return browser;
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Test
    void twentyWrongPasswordsFromOneAddressSlowThatAddressDownAndNeverLockTheAdminOut() throws Exception {
        FromAddress attacker = FromAddress.of("127.0.0.3", port);
        FromAddress owner = FromAddress.of("127.0.0.2", port);
        List<FromAddress.Answer> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(attacker.get("/api/v1/me", "admin", "guess-number-" + i));
        }
        assertThat(answers.subList(0, 5)).extracting(FromAddress.Answer::status).containsOnly(401);
        FromAddress.Answer throttled = answers.stream().filter(a -> a.status() == 429).findFirst().orElseThrow();
        assertThat(Long.parseLong(throttled.header("Retry-After"))).isBetween(1L, 2L); // 1 s after the 5th failure
        assertThat(throttled.header("Content-Type")).startsWith("application/problem+json");
        assertThat(throttled.body()).contains("too many failed logins from your address");
        assertThat(answers).extracting(FromAddress.Answer::status).containsOnly(401, 429);
        // of 20 guesses sent as fast as they go, only a few had their password checked at all
        assertThat(answers.stream().filter(a -> a.status() == 401).count()).isLessThan(10);

        // the real admin, from another address, logs in at once: over the API and through the dashboard
        assertThat(owner.get("/api/v1/me", "admin", ADMIN_PASSWORD).status()).isEqualTo(200);
        FromAddress.Answer login = owner.logIn("admin", ADMIN_PASSWORD);
        assertThat(login.status()).isEqualTo(302);
        assertThat(login.header("Location")).doesNotContain("error").doesNotContain("locked");
        assertThat(owner.get("/admin/users").status()).isEqualTo(200);

        // each further failure from the attacker's address doubles its wait, and while it waits its password
        // is not checked: even the right one is refused
        long previous = currentWait(attacker);
        for (int round = 0; round < 2; round++) {
            Thread.sleep(previous * 1000 + 200);
            assertThat(attacker.get("/api/v1/me", "admin", "another-guess-" + round).status()).isEqualTo(401);
            FromAddress.Answer right = attacker.get("/api/v1/me", "admin", ADMIN_PASSWORD);
            assertThat(right.status()).isEqualTo(429);
            long wait = Long.parseLong(right.header("Retry-After"));
            assertThat(wait).isGreaterThan(previous).isLessThanOrEqualTo(300);
            previous = wait;
        }

        // the dashboard's form from the attacker's address says why, and when to come back
        FromAddress.Answer form = attacker.logIn("admin", "one-more-guess");
        assertThat(form.status()).isEqualTo(302);
        assertThat(form.header("Location")).contains("/login?locked=");
        assertThat(form.header("Retry-After")).isNotBlank();
        String page = attacker.get(form.header("Location").replaceFirst("^https?://[^/]+", "")).body();
        assertThat(page).contains("Too many failed logins from your address");

        JsonNode audit = ok(admin.get("/api/v1/audit?limit=1000"), 200).json();
        assertThat(ApiFlowTests.stream(audit).filter(e -> e.get("action").asString().equals("login")
                && e.get("actor").asString().equals("admin") && e.get("outcome").asString().equals("failure")
                && e.get("sourceAddress").asString().equals("127.0.0.3")).count()).isGreaterThanOrEqualTo(20);
    }

    /** How long the address must still wait (a wrong guess that got through only starts a new wait). */
    static long currentWait(FromAddress client) {
        FromAddress.Answer answer = client.get("/api/v1/me", "admin", "probing-guess");
        if (answer.status() == 401) {
            answer = client.get("/api/v1/me", "admin", "probing-guess");
        }
        assertThat(answer.status()).isEqualTo(429);
        return Long.parseLong(answer.header("Retry-After"));
    }

    @Test
    void aDemotedAdminLosesTheAdminRulesAtTheNextRequestOfTheirSession() {
        String bea = createUser(unique("bea"), STRONG, true);
        try {
            Http beaSession = session(bea, STRONG);
            ok(beaSession.get("/admin/users"), 200);
            ok(beaSession.get("/actuator/prometheus"), 200);

            ok(admin.patch("/api/v1/users/" + bea, "{\"admin\":false}"), 200);

            assertThat(beaSession.get("/admin/users").status()).isEqualTo(403);
            ok(beaSession.get("/actuator/prometheus"), 403);
            ok(beaSession.get("/api/v1/users"), 403);
            ok(beaSession.get("/"), 200); // still logged in, as a plain user

            ok(admin.patch("/api/v1/users/" + bea, "{\"admin\":true}"), 200);
            ok(beaSession.get("/actuator/prometheus"), 200);
        } finally {
            admin.delete("/api/v1/users/" + bea); // other tests of this server count on "admin" being the only admin
        }
    }

    @Test
    void aNewPasswordEndsTheOtherSessionsAndRevokesEveryToken() {
        String cal = createUser(unique("cal"), STRONG, false);
        Http first = session(cal, STRONG);
        Http second = session(cal, STRONG);
        String token = ok(Http.to(port).basic(cal, STRONG).post("/api/v1/tokens", "{\"name\":\"ci\"}"), 201).json().get("token").asString();
        ok(Http.to(port).bearer(token).get("/api/v1/me"), 200); // remembered by the token cache now

        String csrf = Http.csrf(ok(first.get("/account"), 200).body());
        String renewed = "quiet-harbor-7350";
        Response changed = first.form("/account/password", "currentPassword=" + encode(STRONG) + "&newPassword=" + encode(renewed)
                + "&_csrf=" + csrf);
        assertThat(changed.status()).isEqualTo(302);
        assertThat(ok(first.get("/account"), 200).body()).contains("Your password has been changed")
                .contains("other sessions have been logged out");

        Response ended = second.get("/account");
        assertThat(ended.status()).isEqualTo(302);
        assertThat(ended.header("Location")).endsWith("/login");
        ok(second.get("/api/v1/me"), 401);
        ok(Http.to(port).bearer(token).get("/api/v1/me"), 401);
        ok(Http.to(port).basic(cal, STRONG).get("/api/v1/me"), 401);
        ok(Http.to(port).basic(cal, renewed).get("/api/v1/me"), 200);
        ok(first.get("/api/v1/me"), 200); // the session that changed it goes on

        // an admin's reset ends every session of the user, and the tokens made since
        String later = ok(Http.to(port).basic(cal, renewed).post("/api/v1/tokens", "{\"name\":\"later\"}"), 201).json().get("token").asString();
        ok(admin.patch("/api/v1/users/" + cal, "{\"password\":\"amber-violin-6093\"}"), 200);
        assertThat(first.get("/account").status()).isEqualTo(302);
        ok(Http.to(port).bearer(later).get("/api/v1/me"), 401);
        assertThat(ok(Http.to(port).basic(cal, "amber-violin-6093").get("/api/v1/tokens"), 200).json()).isEmpty();

        // a deleted user's session ends too
        Http third = session(cal, "amber-violin-6093");
        ok(admin.delete("/api/v1/users/" + cal), 204);
        assertThat(third.get("/account").status()).isEqualTo(302);
    }

    @Test
    void trivialAndCommonPasswordsAreRefusedNamingTheRule() {
        String name = unique("dora");
        record Case(String password, String rule) {
        }
        List<Case> cases = List.of(
                new Case("aaaaaaaaaaaa", "at least 5 different characters"),
                new Case("123456789012", "run of keys, letters or digits"),
                new Case("qwertyuiopas", "run of keys, letters or digits"),
                new Case("password1234", "most common passwords"),
                new Case("P@ssw0rd2024!", "most common passwords"),
                new Case("iloveyou!!2024", "most common passwords"),
                new Case(name + "-2024", "built from the user name"),
                new Case("abcdeabcdeabcde", "short piece repeated"));
        for (Case c : cases) {
            Response refused = ok(admin.post("/api/v1/users", "{\"name\":\"" + name + "\",\"password\":\"" + c.password() + "\"}"), 400);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("password");
            assertThat(refused.json().get("detail").asString()).as(c.password()).contains(c.rule());
        }
        Response tooShort = ok(admin.post("/api/v1/users", "{\"name\":\"" + name + "\",\"password\":\"Xq7#kLm2\"}"), 400);
        assertThat(tooShort.json().get("errors").get(0).get("field").asString()).isEqualTo("password");
        ok(admin.get("/api/v1/users/" + name), 404);

        createUser(name, STRONG, false);
        Http asDora = Http.to(port).basic(name, STRONG);
        Response own = ok(asDora.put("/api/v1/me/password",
                "{\"currentPassword\":\"" + STRONG + "\",\"newPassword\":\"password12345\"}"), 400);
        assertThat(own.json().get("detail").asString()).contains("most common passwords");
        ok(admin.patch("/api/v1/users/" + name, "{\"password\":\"111111111111\"}"), 400);
        ok(asDora.get("/api/v1/me"), 200);

        // the dashboard's form shows the same sentence
        Http page = session(name, STRONG);
        String csrf = Http.csrf(ok(page.get("/account"), 200).body());
        page.form("/account/password", "currentPassword=" + encode(STRONG) + "&newPassword=123456789012&_csrf=" + csrf);
        assertThat(ok(page.get("/account"), 200).body()).contains("run of keys, letters or digits");
        ok(asDora.get("/api/v1/me"), 200);
    }
}
