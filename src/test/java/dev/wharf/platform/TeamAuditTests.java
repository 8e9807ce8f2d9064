package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * A team's audit log holds that team's events only: not those of an earlier team of the same name,
 * not the refused requests of callers outside the team (those go to the platform's log, for admins).
 * {@link PostgresTeamAuditTests} runs the same on PostgreSQL.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class TeamAuditTests {

    static final String PASSWORD = "tidal-ember-4821";

    @LocalServerPort
    int port;

    Http admin;

    @BeforeEach
    void clients() {
        admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    Response ok(Response response, int expected) {
        assertThat(response.status()).as(response.toString()).isEqualTo(expected);
        return response;
    }

    String createUser(String name) {
        ok(admin.post("/api/v1/users", "{\"name\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"}"), 201);
        return name;
    }

    @Test
    void aTeamMadeAgainUnderTheSameNameDoesNotSeeTheOldTeamsEvents() {
        String shop = unique("shop");
        String oldOwner = createUser(unique("old"));
        String newOwner = createUser(unique("new"));
        String helper = createUser(unique("helper"));
        ok(admin.post("/api/v1/teams", "{\"name\":\"" + shop + "\"}"), 201);
        ok(admin.put("/api/v1/teams/" + shop + "/members/" + oldOwner, "{\"role\":\"owner\"}"), 200);
        Http asOldOwner = Http.to(port).basic(oldOwner, PASSWORD);
        ok(asOldOwner.put("/api/v1/teams/" + shop + "/members/" + helper, "{\"role\":\"member\"}"), 200);
        ok(asOldOwner.put("/api/v1/teams/" + shop + "/members/" + helper, "{\"role\":\"chief\"}"), 400);
        assertThat(ok(asOldOwner.get("/api/v1/audit?team=" + shop), 200).json().toString()).contains(oldOwner);
        ok(admin.delete("/api/v1/teams/" + shop + "/members/" + helper), 204);
        ok(admin.delete("/api/v1/teams/" + shop), 204);

        ok(admin.post("/api/v1/teams", "{\"name\":\"" + shop + "\"}"), 201);
        ok(admin.put("/api/v1/teams/" + shop + "/members/" + newOwner, "{\"role\":\"owner\"}"), 200);
        JsonNode audit = ok(Http.to(port).basic(newOwner, PASSWORD).get("/api/v1/audit?team=" + shop), 200).json();
        assertThat(audit.toString()).doesNotContain(oldOwner).doesNotContain(helper).doesNotContain("DELETE");
        assertThat(ApiFlowTests.events(audit)).containsExactly(
                "admin PUT /api/v1/teams/{team}/members/{user} /api/v1/teams/" + shop + "/members/" + newOwner + " " + shop + " success",
                "admin POST /api/v1/teams /api/v1/teams/" + shop + " " + shop + " success");

        // the old team's events are still there, for admins, under the old team's id
        JsonNode all = ok(admin.get("/api/v1/audit?limit=1000"), 200).json();
        JsonNode deletion = ApiFlowTests.find(all, e -> e.get("action").asString().equals("DELETE /api/v1/teams/{team}")
                && e.get("target").asString().equals("/api/v1/teams/" + shop));
        JsonNode recreation = ApiFlowTests.find(all, e -> e.get("action").asString().equals("POST /api/v1/teams")
                && e.get("target").asString().equals("/api/v1/teams/" + shop));
        assertThat(deletion.get("teamId").isNull()).isFalse();
        assertThat(deletion.get("teamId").asLong()).isNotEqualTo(recreation.get("teamId").asLong());
    }

    @Test
    void anOutsidersRefusedRequestsGoToThePlatformLogNeverToTheTeams() {
        String shop = unique("shop");
        String owner = createUser(unique("owner"));
        String outsider = createUser(unique("outsider"));
        ok(admin.post("/api/v1/teams", "{\"name\":\"" + shop + "\"}"), 201);
        ok(admin.put("/api/v1/teams/" + shop + "/members/" + owner, "{\"role\":\"owner\"}"), 200);
        Http asOutsider = Http.to(port).basic(outsider, PASSWORD);
        String graffiti = "pay-us-or-else-" + UUID.randomUUID().toString().substring(0, 6);
        ok(asOutsider.put("/api/v1/teams/" + shop + "/members/" + outsider, "{\"role\":\"owner\"}"), 404);
        ok(asOutsider.delete("/api/v1/teams/" + shop + "/volumes/" + graffiti), 404);
        ok(asOutsider.post("/api/v1/teams/" + shop + "/projects", "{\"name\":\"" + graffiti + "\"}"), 404);

        JsonNode teamLog = ok(Http.to(port).basic(owner, PASSWORD).get("/api/v1/audit?team=" + shop + "&limit=1000"), 200).json();
        assertThat(teamLog.toString()).doesNotContain(outsider).doesNotContain(graffiti);
        assertThat(teamLog).isNotEmpty(); // the team's own events are there

        JsonNode platform = ok(admin.get("/api/v1/audit?limit=1000"), 200).json();
        JsonNode refused = ApiFlowTests.find(platform, e -> e.get("actor").asString().equals(outsider)
                && e.get("target").asString().contains(graffiti));
        assertThat(refused.get("status").asInt()).isEqualTo(404);
        assertThat(refused.get("outcome").asString()).isEqualTo("failure");
        assertThat(refused.get("team").isNull()).isTrue();
        assertThat(refused.get("teamId").isNull()).isTrue();
        assertThat(ApiFlowTests.stream(platform).filter(e -> e.get("actor").asString().equals(outsider)).count()).isEqualTo(3);
    }
}
