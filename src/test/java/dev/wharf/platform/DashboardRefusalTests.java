package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/**
 * The dashboard's new pages refuse on the server what they do not show a button for: a viewer
 * posting the projects, images and volumes forms by hand changes nothing, and a non-admin cannot open
 * the audit log or the nodes page. Real HTTP with a logged-in session and its CSRF token, as a
 * browser sends it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class DashboardRefusalTests {

    static final String TEAM = "refusals";
    static final String PASSWORD = "tidal-ember-4821";

    @LocalServerPort
    int port;

    Http admin;

    @BeforeEach
    void team() {
        admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        if (admin.get("/api/v1/teams/" + TEAM).status() == 404) {
            assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + TEAM + "\"}").status()).isEqualTo(201);
            admin.post("/api/v1/users", "{\"name\":\"" + TEAM + "-viewer\",\"password\":\"" + PASSWORD + "\"}");
            admin.put("/api/v1/teams/" + TEAM + "/members/" + TEAM + "-viewer", "{\"role\":\"viewer\"}");
            assertThat(admin.post("/api/v1/teams/" + TEAM + "/projects", "{\"name\":\"keep\"}").status()).isEqualTo(201);
        }
    }

    /** A logged-in session of the user, and the CSRF token its pages carry. */
    private record Session(Http http, String csrf) {
        Response post(String path, String form) {
            return http.form(path, form + "&_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8));
        }
    }

    private Session logIn(String user) {
        Http browser = Http.withCookies(port);
        String loginCsrf = ApiFlowTests.csrf(browser.get("/login").body());
        Response login = browser.form("/login", "username=" + user + "&password=" + PASSWORD + "&_csrf=" + loginCsrf);
        assertThat(login.header("Location")).doesNotContain("error");
        String page = browser.get("/teams/" + TEAM + "/projects").body();
        return new Session(browser, Pattern.compile("name=\"_csrf\" content=\"([^\"]+)\"").matcher(page).results()
                .findFirst().orElseThrow().group(1));
    }

    @Test
    void viewersCannotCreateOrDeleteProjectsNorPullOrDeleteImages() {
        Session viewer = logIn(TEAM + "-viewer");
        String projectsPage = viewer.http().get("/teams/" + TEAM + "/projects").body();
        assertThat(projectsPage).contains("keep").doesNotContain("id=\"create-project\"");

        Response create = viewer.post("/teams/" + TEAM + "/projects", "name=sneaky");
        assertThat(create.status()).isEqualTo(403);
        assertThat(create.body()).contains("member");
        Response delete = viewer.post("/teams/" + TEAM + "/projects/keep/delete", "force=true");
        assertThat(delete.status()).isEqualTo(302);
        assertThat(admin.get("/api/v1/teams/" + TEAM + "/projects").json().toString()).contains("keep").doesNotContain("sneaky");

        Response pull = viewer.post("/teams/" + TEAM + "/images/pull", "reference=busybox:1");
        assertThat(pull.status()).isEqualTo(302);
        assertThat(admin.get("/api/v1/teams/" + TEAM + "/images/pulls").json().size()).isZero();
        assertThat(viewer.http().get("/teams/" + TEAM + "/images").body()).doesNotContain("id=\"pull-image\"");

        // the refusals are in the audit trail, as failures
        String audit = admin.get("/api/v1/audit?team=" + TEAM + "&limit=20").body();
        assertThat(audit).contains("POST /teams/{team}/projects/{project}/delete").contains("\"outcome\":\"failure\"");
    }

    @Test
    void viewersSeeNoVolumeButtonsAndCannotCreateOrDeleteVolumes() {
        Session viewer = logIn(TEAM + "-viewer");
        Response page = viewer.http().get("/teams/" + TEAM + "/volumes");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Volumes · ").doesNotContain("id=\"create-volume\"")
                .doesNotContain("action-delete");

        Response create = viewer.post("/teams/" + TEAM + "/volumes", "name=sneaky&size=1Mi");
        assertThat(create.status()).isEqualTo(403);
        assertThat(create.body()).contains("member").doesNotContain("id=\"create-volume\"");
        Response delete = viewer.post("/teams/" + TEAM + "/volumes/sneaky/delete", "");
        assertThat(delete.status()).isEqualTo(302);
        assertThat(admin.get("/api/v1/teams/" + TEAM + "/volumes").json().size()).isZero();

        String audit = admin.get("/api/v1/audit?team=" + TEAM + "&limit=50").body();
        assertThat(audit).contains("POST /teams/{team}/volumes").contains("POST /teams/{team}/volumes/{volume}/delete");
    }

    @Test
    void onlyAdminsSeeTheAuditLogAndTheNodes() {
        Session viewer = logIn(TEAM + "-viewer");
        assertThat(viewer.http().get("/admin/audit").status()).isEqualTo(403);
        assertThat(viewer.http().get("/admin/audit?team=" + TEAM).status()).isEqualTo(403);
        assertThat(viewer.http().get("/admin/nodes").status()).isEqualTo(403);

        Http browser = Http.withCookies(port);
        String loginCsrf = ApiFlowTests.csrf(browser.get("/login").body());
        browser.form("/login", "username=admin&password=" + ApiFlowTests.ADMIN_PASSWORD + "&_csrf=" + loginCsrf);
        Response page = browser.get("/admin/audit?team=" + TEAM + "&action=projects");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Audit log · Wharf</title>").contains("POST /api/v1/teams/{team}/projects");
        Response bad = browser.get("/admin/audit?since=yesterday");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("since must be a date");
    }
}
