package dev.wharf.platform.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/**
 * The group mappings over real HTTP: admins map groups to a team role or to platform admin, read and remove
 * them, and every change is in the audit trail; anyone else is refused with a problem and nothing changes; bad
 * input is a problem naming the field.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class GroupMappingApiTests {

    static final String PASSWORD = "tidal-ember-4821";

    @LocalServerPort
    int port;

    @org.springframework.beans.factory.annotation.Autowired
    SingleSignOn signOn;

    Http admin;

    @BeforeEach
    void clients() {
        admin = Http.to(port).basic("admin", "test-admin-password");
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    Response expect(Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return response;
    }

    @Test
    void adminsMapGroupsToTeamsAndToPlatformAdminReadAndRemoveThem() {
        String team = unique("shop");
        String group = unique("shop-devs");
        expect(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}"), 201);

        Response created = expect(admin.post("/api/v1/oidc/group-mappings",
                "{\"group\":\"" + group + "\",\"team\":\"" + team + "\",\"role\":\"member\"}"), 201);
        long id = created.json().get("id").asLong();
        assertThat(created.header("Location")).isEqualTo("/api/v1/oidc/group-mappings/" + id);
        assertThat(created.json().get("group").asString()).isEqualTo(group);
        assertThat(created.json().get("team").asString()).isEqualTo(team);
        assertThat(created.json().get("role").asString()).isEqualTo("member");
        assertThat(created.json().get("admin").asBoolean()).isFalse();

        Response platform = expect(admin.post("/api/v1/oidc/group-mappings", "{\"group\":\"" + group + "-admins\",\"admin\":true}"), 201);
        assertThat(platform.json().get("admin").asBoolean()).isTrue();
        assertThat(platform.json().get("team").isNull()).isTrue();

        String listed = expect(admin.get("/api/v1/oidc/group-mappings"), 200).body();
        assertThat(listed).contains(group).contains(group + "-admins");

        // the same group twice for one team, a second admin mapping of a group: 409
        expect(admin.post("/api/v1/oidc/group-mappings", "{\"group\":\"" + group + "\",\"team\":\"" + team + "\",\"role\":\"owner\"}"), 409);
        expect(admin.post("/api/v1/oidc/group-mappings", "{\"group\":\"" + group + "-admins\",\"admin\":true}"), 409);

        expect(admin.delete("/api/v1/oidc/group-mappings/" + id), 204);
        expect(admin.delete("/api/v1/oidc/group-mappings/" + id), 404);
        assertThat(admin.get("/api/v1/oidc/group-mappings").body()).doesNotContain("\"" + group + "\"");

        String audit = admin.get("/api/v1/audit").body();
        assertThat(audit).contains("POST /api/v1/oidc/group-mappings").contains("DELETE /api/v1/oidc/group-mappings/{id}");
    }

    @Test
    void badMappingsAreProblemsNamingWhatIsWrongAndNothingIsStored() {
        String team = unique("shop");
        expect(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}"), 201);
        int before = admin.get("/api/v1/oidc/group-mappings").json().size();

        Response noGroup = expect(admin.post("/api/v1/oidc/group-mappings", "{\"team\":\"" + team + "\",\"role\":\"member\"}"), 400);
        assertThat(noGroup.contentType()).startsWith("application/problem+json");
        assertThat(noGroup.json().get("detail").asString()).contains("group");
        Response badRole = expect(admin.post("/api/v1/oidc/group-mappings", "{\"group\":\"g\",\"team\":\"" + team + "\",\"role\":\"god\"}"), 400);
        assertThat(badRole.json().get("detail").asString()).contains("viewer, member, owner");
        expect(admin.post("/api/v1/oidc/group-mappings", "{\"group\":\"g\",\"team\":\"" + team + "\"}"), 400);
        expect(admin.post("/api/v1/oidc/group-mappings", "{\"group\":\"g\"}"), 400);
        // admin rights come without a team: a mapping claiming both is refused rather than half applied
        expect(admin.post("/api/v1/oidc/group-mappings", "{\"group\":\"g\",\"team\":\"" + team + "\",\"role\":\"owner\",\"admin\":true}"), 400);
        expect(admin.post("/api/v1/oidc/group-mappings", "{\"group\":\" g\",\"team\":\"" + team + "\",\"role\":\"member\"}"), 400);
        expect(admin.post("/api/v1/oidc/group-mappings", "{\"group\":\"" + "g".repeat(256) + "\",\"admin\":true}"), 400);
        Response noTeam = expect(admin.post("/api/v1/oidc/group-mappings", "{\"group\":\"g\",\"team\":\"no-such-team\",\"role\":\"member\"}"), 404);
        assertThat(noTeam.json().get("detail").asString()).contains("no-such-team");

        assertThat(admin.get("/api/v1/oidc/group-mappings").json().size()).isEqualTo(before);
    }

    @Test
    void teamOwnersAndMembersCannotReadOrChangeMappings() {
        String team = unique("shop");
        String owner = unique("owner");
        expect(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}"), 201);
        expect(admin.post("/api/v1/users", "{\"name\":\"" + owner + "\",\"password\":\"" + PASSWORD + "\"}"), 201);
        expect(admin.put("/api/v1/teams/" + team + "/members/" + owner, "{\"role\":\"owner\"}"), 200);
        Response mapping = expect(admin.post("/api/v1/oidc/group-mappings", "{\"group\":\"" + unique("g") + "\",\"admin\":true}"), 201);
        int before = admin.get("/api/v1/oidc/group-mappings").json().size();

        Http ownerClient = Http.to(port).basic(owner, PASSWORD);
        // an owner would love to give their group platform admin rights, or their team to more people
        Response selfPromotion = expect(ownerClient.post("/api/v1/oidc/group-mappings", "{\"group\":\"everyone\",\"admin\":true}"), 403);
        assertThat(selfPromotion.contentType()).startsWith("application/problem+json");
        expect(ownerClient.post("/api/v1/oidc/group-mappings", "{\"group\":\"everyone\",\"team\":\"" + team + "\",\"role\":\"owner\"}"), 403);
        expect(ownerClient.get("/api/v1/oidc/group-mappings"), 403);
        expect(ownerClient.delete("/api/v1/oidc/group-mappings/" + mapping.json().get("id").asLong()), 403);
        expect(Http.to(port).get("/api/v1/oidc/group-mappings"), 401);

        assertThat(admin.get("/api/v1/oidc/group-mappings").json().size()).isEqualTo(before);
    }

    java.util.Map<String, String> rolesOf(String user, String... teams) {
        java.util.Map<String, String> roles = new java.util.HashMap<>();
        for (String team : teams) {
            for (tools.jackson.databind.JsonNode member : admin.get("/api/v1/teams/" + team).json().get("members")) {
                if (member.get("user").asString().equals(user)) {
                    roles.put(team, member.get("role").asString());
                }
            }
        }
        return roles;
    }

    /** What logins through a provider do to a user's memberships and admin flag, as the groups change between them. */
    @Test
    void eachLoginBringsGroupGivenMembershipsAndAdminInLineAndLeavesHandGivenOnesAlone() {
        String shop = unique("shop");
        String ops = unique("ops");
        String tools = unique("tools");
        for (String team : java.util.List.of(shop, ops, tools)) {
            expect(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}"), 201);
        }
        String devs = unique("devs");
        String leads = unique("leads");
        String admins = unique("admins");
        expect(admin.post("/api/v1/oidc/group-mappings", "{\"group\":\"" + devs + "\",\"team\":\"" + shop + "\",\"role\":\"member\"}"), 201);
        expect(admin.post("/api/v1/oidc/group-mappings", "{\"group\":\"" + leads + "\",\"team\":\"" + shop + "\",\"role\":\"owner\"}"), 201);
        expect(admin.post("/api/v1/oidc/group-mappings", "{\"group\":\"" + devs + "\",\"team\":\"" + ops + "\",\"role\":\"viewer\"}"), 201);
        expect(admin.post("/api/v1/oidc/group-mappings", "{\"group\":\"" + admins + "\",\"admin\":true}"), 201);
        String subject = UUID.randomUUID().toString();
        String name = unique("dana");
        try {
            loginsAlign(subject, name, shop, ops, tools, devs, leads, admins);
        } finally {
            // the context is shared with other test classes, which count platform admins
            admin.delete("/api/v1/users/" + name);
        }
    }

    private void loginsAlign(String subject, String name, String shop, String ops, String tools, String devs, String leads, String admins) {

        // first login: the user is made, with what devs gives; a group named like a team (or like the admin group's
        // team-less twin) gives nothing without a mapping
        signOn.login("corp", subject, name, java.util.List.of(devs, tools, "platform-admins"), "127.0.0.1");
        assertThat(rolesOf(name, shop, ops, tools)).isEqualTo(java.util.Map.of(shop, "member", ops, "viewer"));
        assertThat(admin.get("/api/v1/users/" + name).json().get("admin").asBoolean()).isFalse();

        // an owner gives dana a team by hand; dana joins leads and admins: the higher role of two groups wins
        expect(admin.put("/api/v1/teams/" + tools + "/members/" + name, "{\"role\":\"viewer\"}"), 200);
        signOn.login("corp", subject, name, java.util.List.of(devs, leads, admins), "127.0.0.1");
        assertThat(rolesOf(name, shop, ops, tools)).isEqualTo(java.util.Map.of(shop, "owner", ops, "viewer", tools, "viewer"));
        assertThat(admin.get("/api/v1/users/" + name).json().get("admin").asBoolean()).isTrue();

        // the provider renames the person and drops every group: the same user (by subject) loses what groups gave,
        // keeps the hand-given membership, and is no longer admin
        signOn.login("corp", subject, unique("renamed"), java.util.List.of(), "127.0.0.1");
        assertThat(rolesOf(name, shop, ops, tools)).isEqualTo(java.util.Map.of(tools, "viewer"));
        assertThat(admin.get("/api/v1/users/" + name).json().get("admin").asBoolean()).isFalse();
        assertThat(admin.get("/api/v1/users/" + name).json().get("source").asString()).isEqualTo("oidc");

        // a hand-given admin flag is not the groups' to take
        expect(admin.patch("/api/v1/users/" + name, "{\"admin\":true}"), 200);
        signOn.login("corp", subject, name, java.util.List.of(), "127.0.0.1");
        assertThat(admin.get("/api/v1/users/" + name).json().get("admin").asBoolean()).isTrue();

        // a group-given membership whose mapping is removed goes at the next login
        long mapping = java.util.stream.StreamSupport.stream(admin.get("/api/v1/oidc/group-mappings").json().spliterator(), false)
                .filter(m -> m.get("group").asString().equals(devs) && m.get("team").asString().equals(ops))
                .findFirst().orElseThrow().get("id").asLong();
        signOn.login("corp", subject, name, java.util.List.of(devs), "127.0.0.1");
        assertThat(rolesOf(name, shop, ops, tools)).containsEntry(ops, "viewer");
        expect(admin.delete("/api/v1/oidc/group-mappings/" + mapping), 204);
        signOn.login("corp", subject, name, java.util.List.of(devs), "127.0.0.1");
        assertThat(rolesOf(name, shop, ops, tools)).isEqualTo(java.util.Map.of(shop, "member", tools, "viewer"));

        // the same subject at another provider is another person: the name is taken, so it is refused
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> signOn.login("other", subject, name, java.util.List.of(admins), "127.0.0.1"))
                .hasMessageContaining("already belongs to another Wharf user");
        String audit = admin.get("/api/v1/audit").body();
        assertThat(audit).contains("oidc:corp").contains("subject " + subject).contains("grant admin").contains("remove member");
    }

    @Test
    void withoutProvidersTheLoginPageHasOnlyThePasswordForm() {
        expect(admin.get("/api/v1/me"), 200);
        assertThat(Http.to(port).get("/login").body()).doesNotContain("provider-login");
    }
}
