package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Http;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * A team made over the REST API for one test, with a member ({@code <team>-member}) and the
 * admin's client; {@link #deleteContainers} removes what the test left.
 *
 * @param name   {@code <prefix>-<6 random hex digits>}
 * @param admin  the first admin's client
 * @param member the member's client
 */
record ApiTeam(String name, Http admin, Http member) {

    static final String PASSWORD = "tidal-ember-4821";

    static ApiTeam create(int port, String prefix) {
        Http admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
        assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + name + "\"}").status()).isEqualTo(201);
        assertThat(admin.post("/api/v1/users", "{\"name\":\"" + name + "-member\",\"password\":\"" + PASSWORD + "\"}").status())
                .isLessThan(300);
        assertThat(admin.put("/api/v1/teams/" + name + "/members/" + name + "-member", "{\"role\":\"member\"}").status()).isLessThan(300);
        return new ApiTeam(name, admin, Http.to(port).basic(name + "-member", PASSWORD));
    }

    /** Force-deletes every container of the team. */
    void deleteContainers() {
        for (JsonNode c : admin.get("/api/v1/teams/" + name + "/containers").json()) {
            assertThat(admin.delete("/api/v1/teams/" + name + "/containers/" + c.get("name").asString() + "?force=true").status())
                    .isEqualTo(204);
        }
    }
}
