package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * The foundation as scripts use it: users, teams, members, tokens, audit and errors over real
 * HTTP against a real database (H2 here; {@link PostgresApiFlowTests} runs the same on PostgreSQL).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class ApiFlowTests {

    static final String ADMIN_PASSWORD = "test-admin-password";

    @LocalServerPort
    int port;

    Http anonymous;
    Http admin;

    @BeforeEach
    void clients() {
        anonymous = Http.to(port);
        admin = anonymous.basic("admin", ADMIN_PASSWORD);
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    Response ok(Response response, int expected) {
        assertThat(response.status()).as(response.toString()).isEqualTo(expected);
        return response;
    }

    String createUser(String name, String password) {
        ok(admin.post("/api/v1/users", "{\"name\":\"" + name + "\",\"password\":\"" + password + "\"}"), 201);
        return name;
    }

    String createTeam(String name) {
        Response created = ok(admin.post("/api/v1/teams", "{\"name\":\"" + name + "\",\"displayName\":\"The " + name + "\"}"), 201);
        assertThat(created.header("Location")).isEqualTo("/api/v1/teams/" + name);
        return name;
    }

    void setRole(Http as, String team, String user, String role, int expected) {
        ok(as.put("/api/v1/teams/" + team + "/members/" + user, "{\"role\":\"" + role + "\"}"), expected);
    }

    String token(Http as, String name) {
        return ok(as.post("/api/v1/tokens", "{\"name\":\"" + name + "\"}"), 201).json().get("token").asString();
    }

    @Test
    void adminCreatesTeamUserMembershipAndTokenAndEveryActionIsAudited() {
        Instant start = Instant.now().minusSeconds(1);
        String team = createTeam(unique("shop"));
        String bob = createUser(unique("bob"), "bob-password-1");
        setRole(admin, team, bob, "member", 200);

        JsonNode me = ok(anonymous.basic(bob, "bob-password-1").get("/api/v1/me"), 200).json();
        assertThat(me.get("name").asString()).isEqualTo(bob);
        assertThat(me.get("admin").asBoolean()).isFalse();
        assertThat(me.get("teams").get(0).get("name").asString()).isEqualTo(team);
        assertThat(me.get("teams").get(0).get("role").asString()).isEqualTo("member");

        String secret = token(anonymous.basic(bob, "bob-password-1"), "ci");
        Http bobToken = anonymous.bearer(secret);
        JsonNode teams = ok(bobToken.get("/api/v1/teams"), 200).json();
        assertThat(teams).hasSize(1);
        assertThat(teams.get(0).get("name").asString()).isEqualTo(team);
        assertThat(teams.get(0).get("role").asString()).isEqualTo("member");
        JsonNode detail = ok(bobToken.get("/api/v1/teams/" + team), 200).json();
        assertThat(detail.get("displayName").asString()).isEqualTo("The " + team);
        assertThat(detail.get("members").get(0).get("user").asString()).isEqualTo(bob);
        ok(bobToken.post("/api/v1/tokens", "{\"name\":\"made-with-a-token\"}"), 201);

        JsonNode audit = ok(admin.get("/api/v1/audit?since=" + start + "&limit=1000"), 200).json();
        assertThat(events(audit)).contains(
                "admin POST /api/v1/teams /api/v1/teams/" + team + " " + team + " success",
                "admin POST /api/v1/users /api/v1/users/" + bob + " - success",
                "admin PUT /api/v1/teams/{team}/members/{user} /api/v1/teams/" + team + "/members/" + bob + " " + team + " success");
        JsonNode byToken = find(audit, e -> e.get("actor").asString().equals(bob) && e.get("authMethod").asString().equals("token"));
        assertThat(byToken.get("action").asString()).isEqualTo("POST /api/v1/tokens");
        assertThat(byToken.get("tokenId").asString()).isNotBlank();
        assertThat(byToken.get("sourceAddress").asString()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(byToken.get("time").asString()).isNotBlank();
    }

    @Test
    void viewerCannotChangeMembersAndNonMemberSeesNothing() {
        String team = createTeam(unique("ops"));
        String viewer = createUser(unique("vic"), "viewer-password");
        String outsider = createUser(unique("out"), "outsider-password");
        setRole(admin, team, viewer, "viewer", 200);
        Http asViewer = anonymous.basic(viewer, "viewer-password");
        Http asOutsider = anonymous.basic(outsider, "outsider-password");

        ok(asViewer.get("/api/v1/teams/" + team), 200);
        Response refused = ok(asViewer.put("/api/v1/teams/" + team + "/members/" + outsider, "{\"role\":\"owner\"}"), 403);
        assertThat(refused.json().get("type").asString()).endsWith("/permission-denied");
        assertThat(refused.json().get("detail").asString()).contains("viewer").contains("owner");
        ok(asViewer.delete("/api/v1/teams/" + team + "/members/" + viewer), 403);

        Response hidden = ok(asOutsider.get("/api/v1/teams/" + team), 404);
        assertThat(hidden.json().get("detail").asString()).isEqualTo("team \"" + team + "\" not found");
        ok(asOutsider.get("/api/v1/teams/" + team + "/members"), 404);
        ok(asOutsider.put("/api/v1/teams/" + team + "/members/" + outsider, "{\"role\":\"owner\"}"), 404);
        // a team that does not exist answers exactly like one the caller cannot see
        Response missing = ok(asOutsider.get("/api/v1/teams/no-such-team-x"), 404);
        assertThat(missing.json().get("title")).isEqualTo(hidden.json().get("title"));
        assertThat(ok(asOutsider.get("/api/v1/teams"), 200).json()).isEmpty();

        JsonNode members = ok(admin.get("/api/v1/teams/" + team + "/members"), 200).json();
        assertThat(members).hasSize(1);
        assertThat(members.get(0).get("role").asString()).isEqualTo("viewer");
        JsonNode audit = ok(admin.get("/api/v1/audit?team=" + team), 200).json();
        JsonNode failure = find(audit, e -> e.get("actor").asString().equals(viewer) && e.get("status").asInt() == 403);
        assertThat(failure.get("outcome").asString()).isEqualTo("failure");
        assertThat(failure.get("detail").asString()).contains("viewer");
    }

    @Test
    void ownersManageMembersButNeverRemoveTheLastOwner() {
        String team = createTeam(unique("web"));
        String owner = createUser(unique("own"), "owner-password");
        String member = createUser(unique("mem"), "member-password");
        setRole(admin, team, owner, "owner", 200);
        Http asOwner = anonymous.basic(owner, "owner-password");
        Http asMember = anonymous.basic(member, "member-password");

        setRole(asOwner, team, member, "member", 200);
        setRole(asMember, team, member, "owner", 403);
        Response lastOwner = ok(asOwner.put("/api/v1/teams/" + team + "/members/" + owner, "{\"role\":\"member\"}"), 409);
        assertThat(lastOwner.json().get("detail").asString()).contains("last owner");
        ok(asOwner.delete("/api/v1/teams/" + team + "/members/" + owner), 409);
        Response badRole = ok(asOwner.put("/api/v1/teams/" + team + "/members/" + member, "{\"role\":\"king\"}"), 400);
        assertThat(badRole.json().get("detail").asString()).isEqualTo("role must be one of viewer, member, owner");
        ok(asOwner.put("/api/v1/teams/" + team + "/members/nobody-here", "{\"role\":\"member\"}"), 404);

        ok(asOwner.delete("/api/v1/teams/" + team + "/members/" + member), 204);
        ok(asMember.get("/api/v1/teams/" + team), 404);
        // owners read their team's audit log; others do not
        ok(asOwner.get("/api/v1/audit?team=" + team), 200);
        ok(asOwner.get("/api/v1/audit"), 403);
        ok(asMember.get("/api/v1/audit?team=" + team), 404);

        ok(asOwner.delete("/api/v1/teams/" + team), 403);
        ok(admin.delete("/api/v1/teams/" + team), 204);
        ok(asOwner.get("/api/v1/teams/" + team), 404);
        assertThat(ok(asOwner.get("/api/v1/me"), 200).json().get("teams")).isEmpty();
    }

    @Test
    void tokensAreShownOnceListedWithoutSecretsUsedAndRevoked() {
        String carol = createUser(unique("carol"), "carol-password");
        Http asCarol = anonymous.basic(carol, "carol-password");
        Response created = ok(asCarol.post("/api/v1/tokens", "{\"name\":\"deploy\",\"expiresInDays\":7}"), 201);
        String secret = created.json().get("token").asString();
        String id = created.json().get("id").asString();
        assertThat(secret).startsWith("wharf_");
        assertThat(java.util.Base64.getUrlDecoder().decode(secret.substring(6))).hasSizeGreaterThanOrEqualTo(32);
        Instant expiresAt = Instant.parse(created.json().get("expiresAt").asString());
        assertThat(Duration.between(Instant.now(), expiresAt)).isBetween(Duration.ofDays(7).minusMinutes(1), Duration.ofDays(7));

        JsonNode listed = ok(asCarol.get("/api/v1/tokens"), 200).json();
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).has("token")).isFalse();
        assertThat(listed.toString()).doesNotContain(secret.substring(6));
        assertThat(listed.get(0).get("lastUsedAt").isNull()).isTrue();

        ok(anonymous.bearer(secret).get("/api/v1/me"), 200);
        JsonNode used = ok(asCarol.get("/api/v1/tokens"), 200).json().get(0);
        assertThat(used.get("lastUsedAt").isNull()).isFalse();

        // another user's token is not found, and cannot be revoked by them
        String dave = createUser(unique("dave"), "dave-password");
        ok(anonymous.basic(dave, "dave-password").delete("/api/v1/tokens/" + id), 404);
        ok(anonymous.bearer(secret).get("/api/v1/me"), 200);

        ok(asCarol.delete("/api/v1/tokens/" + id), 204);
        Response revoked = ok(anonymous.bearer(secret).get("/api/v1/me"), 401);
        assertThat(revoked.json().get("detail").asString()).contains("invalid, expired or revoked");
        assertThat(ok(asCarol.get("/api/v1/tokens"), 200).json()).isEmpty();
        ok(anonymous.bearer("wharf_" + "A".repeat(43)).get("/api/v1/me"), 401);
        ok(asCarol.post("/api/v1/tokens", "{\"name\":\"x\",\"expiresInDays\":0}"), 400);
    }

    @Test
    void fiveFailedLoginsFromOneAddressMakeItWaitForThatNameAndUnknownNamesLookTheSame() {
        String erin = createUser(unique("erin"), "erin-password");
        String ghost = unique("ghost");
        List<Integer> real = new ArrayList<>();
        List<Integer> unknown = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            real.add(anonymous.basic(erin, "wrong-password").get("/api/v1/me").status());
        }
        // right after the fifth failure, this address waits a second before it may try the name again
        Response locked = ok(anonymous.basic(erin, "erin-password").get("/api/v1/me"), 429);
        for (int i = 0; i < 5; i++) {
            unknown.add(anonymous.basic(ghost, "wrong-password").get("/api/v1/me").status());
        }
        Response lockedGhost = ok(anonymous.basic(ghost, "erin-password").get("/api/v1/me"), 429);
        assertThat(real).containsOnly(401);
        assertThat(unknown).containsOnly(401);
        assertThat(Integer.parseInt(locked.header("Retry-After"))).isBetween(1, 300);
        assertThat(Integer.parseInt(lockedGhost.header("Retry-After"))).isBetween(1, 300);
        assertThat(locked.contentType()).startsWith("application/problem+json");
        assertThat(locked.json().get("type").asString()).endsWith("/too-many-requests");
        assertThat(locked.json().get("detail")).isEqualTo(lockedGhost.json().get("detail"));
        // other users are not affected, and the wait is per name
        ok(admin.get("/api/v1/me"), 200);

        JsonNode audit = ok(admin.get("/api/v1/audit?limit=1000"), 200).json();
        long failures = stream(audit).filter(e -> e.get("actor").asString().equals(erin)
                && e.get("action").asString().equals("login") && e.get("outcome").asString().equals("failure")).count();
        assertThat(failures).isEqualTo(6);
    }

    @Test
    void errorsAreProblemDocumentsThatNameTheCause() {
        Response invalid = ok(admin.post("/api/v1/teams", "{\"name\":\"Not_A_Label\"}"), 400);
        assertThat(invalid.contentType()).startsWith("application/problem+json");
        assertThat(invalid.json().get("type").asString()).endsWith("/invalid-argument");
        assertThat(invalid.json().get("detail").asString()).startsWith("name: must be a DNS label");
        assertThat(invalid.json().get("errors").get(0).get("field").asString()).isEqualTo("name");

        Response unknownField = ok(admin.post("/api/v1/teams", "{\"name\":\"fine\",\"colour\":\"red\"}"), 400);
        assertThat(unknownField.json().get("detail").asString()).isEqualTo("unknown field \"colour\"");
        assertThat(ok(admin.get("/api/v1/teams/fine"), 404)).isNotNull();

        Response malformed = ok(admin.post("/api/v1/teams", "{\"name\":"), 400);
        assertThat(malformed.json().get("detail").asString()).startsWith("malformed JSON");

        Response shortPassword = ok(admin.post("/api/v1/users", "{\"name\":\"shorty\",\"password\":\"abc\"}"), 400);
        assertThat(shortPassword.json().get("errors").get(0).get("field").asString()).isEqualTo("password");

        Response noEndpoint = ok(admin.get("/api/v1/no-such-thing"), 404);
        assertThat(noEndpoint.contentType()).startsWith("application/problem+json");
        assertThat(noEndpoint.json().get("detail").asString()).contains("/api/v1/no-such-thing");

        Response wrongMethod = ok(admin.patch("/api/v1/teams", "{}"), 405);
        assertThat(wrongMethod.contentType()).startsWith("application/problem+json");
        assertThat(wrongMethod.header("Allow")).contains("GET").contains("POST");

        Response unauthenticated = ok(anonymous.get("/api/v1/me"), 401);
        assertThat(unauthenticated.contentType()).startsWith("application/problem+json");
        assertThat(unauthenticated.header("WWW-Authenticate")).contains("Bearer");

        String team = createTeam(unique("dup"));
        Response duplicate = ok(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}"), 409);
        assertThat(duplicate.json().get("type").asString()).endsWith("/already-exists");

        assertThat(ok(anonymous.get("/problems/quota-exceeded"), 200).body()).contains("Quota exceeded").contains("HTTP 403");
        Response notAdmin = ok(anonymous.basic(createUser(unique("plain"), "plain-password"), "plain-password")
                .post("/api/v1/teams", "{\"name\":\"mine\"}"), 403);
        assertThat(notAdmin.json().get("detail").asString()).isEqualTo("only platform admins can create teams");
    }

    @Test
    void onlyAdminsManageUsersAndTheLastAdminStays() {
        String frank = createUser(unique("frank"), "frank-password");
        Http asFrank = anonymous.basic(frank, "frank-password");
        ok(asFrank.get("/api/v1/users"), 403);
        ok(asFrank.post("/api/v1/users", "{\"name\":\"sneaky\",\"password\":\"sneaky-password\"}"), 403);

        Response lastAdmin = ok(admin.patch("/api/v1/users/admin", "{\"admin\":false}"), 409);
        assertThat(lastAdmin.json().get("detail").asString()).contains("last platform admin");
        ok(admin.delete("/api/v1/users/admin"), 409);

        ok(admin.patch("/api/v1/users/" + frank, "{\"password\":\"frank-new-password\"}"), 200);
        ok(anonymous.basic(frank, "frank-password").get("/api/v1/me"), 401);
        ok(anonymous.basic(frank, "frank-new-password").get("/api/v1/me"), 200);
        ok(anonymous.basic(frank, "frank-new-password").put("/api/v1/me/password",
                "{\"currentPassword\":\"wrong\",\"newPassword\":\"frank-third-password\"}"), 400);
        ok(anonymous.basic(frank, "frank-new-password").put("/api/v1/me/password",
                "{\"currentPassword\":\"frank-new-password\",\"newPassword\":\"frank-third-password\"}"), 204);
        ok(anonymous.basic(frank, "frank-third-password").get("/api/v1/me"), 200);

        String team = createTeam(unique("gone"));
        setRole(admin, team, frank, "owner", 200);
        String secret = token(anonymous.basic(frank, "frank-third-password"), "t");
        ok(admin.delete("/api/v1/users/" + frank), 204);
        ok(admin.get("/api/v1/users/" + frank), 404);
        ok(anonymous.bearer(secret).get("/api/v1/me"), 401);
        assertThat(ok(admin.get("/api/v1/teams/" + team + "/members"), 200).json()).isEmpty();
    }

    @Test
    void dashboardSessionNeedsCsrfOnTheApiButScriptsDoNot() {
        Http browser = Http.withCookies(port);
        Response loginPage = ok(browser.get("/login"), 200);
        String csrf = csrf(loginPage.body());
        Response login = browser.form("/login", "username=admin&password=" + ADMIN_PASSWORD + "&_csrf=" + csrf);
        assertThat(login.status()).isEqualTo(302);
        assertThat(login.header("Location")).doesNotContain("error");

        Response home = ok(browser.get("/"), 200);
        String pageCsrf = Pattern.compile("name=\"_csrf\" content=\"([^\"]+)\"").matcher(home.body()).results()
                .findFirst().orElseThrow().group(1);
        ok(browser.get("/api/v1/me"), 200);
        Response forged = ok(browser.post("/api/v1/tokens", "{\"name\":\"forged\"}"), 403);
        assertThat(forged.json().get("detail").asString()).contains("CSRF");
        ok(browser.header("X-CSRF-TOKEN", pageCsrf).post("/api/v1/tokens", "{\"name\":\"from-page\"}"), 201);
        // a script with Basic credentials needs no CSRF token
        ok(admin.post("/api/v1/tokens", "{\"name\":\"script\"}"), 201);

        JsonNode audit = ok(admin.get("/api/v1/audit?limit=50"), 200).json();
        assertThat(stream(audit).anyMatch(e -> e.get("action").asString().equals("login")
                && e.get("actor").asString().equals("admin") && e.get("outcome").asString().equals("success"))).isTrue();
    }

    @Test
    void healthIsPublicAndMetricsAreForAdmins() {
        Response health = ok(anonymous.get("/actuator/health"), 200);
        assertThat(health.json().get("status").asString()).isEqualTo("UP");
        assertThat(health.json().has("components")).isFalse();
        ok(anonymous.get("/actuator/prometheus"), 401);
        String plain = createUser(unique("metrics"), "metrics-password");
        ok(anonymous.basic(plain, "metrics-password").get("/actuator/prometheus"), 403);
        assertThat(ok(admin.get("/actuator/prometheus"), 200).body()).contains("jvm_memory_used_bytes");
    }

    @Test
    void openApiDescribesEveryEndpoint() {
        JsonNode paths = ok(anonymous.get("/v3/api-docs"), 200).json().get("paths");
        assertThat(paths.propertyNames()).contains("/api/v1/me", "/api/v1/me/password", "/api/v1/tokens", "/api/v1/tokens/{id}",
                "/api/v1/users", "/api/v1/users/{user}", "/api/v1/teams", "/api/v1/teams/{team}",
                "/api/v1/teams/{team}/members", "/api/v1/teams/{team}/members/{user}", "/api/v1/audit", "/api/v1/nodes",
                "/api/v1/teams/{team}/quota", "/api/v1/teams/{team}/quota/defaults", "/api/v1/teams/{team}/projects",
                "/api/v1/teams/{team}/projects/{project}", "/api/v1/teams/{team}/containers", "/api/v1/teams/{team}/containers/{name}",
                "/api/v1/teams/{team}/containers/{name}/start", "/api/v1/teams/{team}/containers/{name}/stop",
                "/api/v1/teams/{team}/containers/{name}/restart", "/api/v1/teams/{team}/containers/{name}/kill",
                "/api/v1/teams/{team}/containers/{name}/logs", "/api/v1/teams/{team}/containers/{name}/stats",
                "/api/v1/teams/{team}/containers/{name}/exec", "/api/v1/teams/{team}/images", "/api/v1/teams/{team}/images/pull",
                "/api/v1/teams/{team}/images/import", "/api/v1/teams/{team}/images/{id}", "/api/v1/teams/{team}/registries/{registry}",
                "/api/v1/teams/{team}/containers/{name}/terminal", "/api/v1/teams/{team}/volumes", "/api/v1/teams/{team}/volumes/{volume}");
        assertThat(paths.get("/api/v1/teams/{team}/members/{user}").has("put")).isTrue();
        assertThat(ok(anonymous.get("/swagger-ui/index.html"), 200).body()).contains("Swagger UI");
    }

    static String csrf(String html) {
        return Http.csrf(html);
    }

    static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false);
    }

    static JsonNode find(JsonNode array, java.util.function.Predicate<JsonNode> test) {
        return stream(array).filter(test).findFirst().orElseThrow(() -> new AssertionError("no matching event in " + array));
    }

    static List<String> events(JsonNode audit) {
        return stream(audit).map(e -> e.get("actor").asString() + " " + e.get("action").asString() + " "
                + e.get("target").asString() + " " + (e.get("team").isNull() ? "-" : e.get("team").asString()) + " "
                + e.get("outcome").asString()).toList();
    }
}
