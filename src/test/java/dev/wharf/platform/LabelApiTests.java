package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.BusyboxRootfs;
import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import dev.wharf.testing.OciImageBuilder;
import dev.wharf.testing.TestNode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Labels over the REST API against real runc containers: containers, volumes and projects keep the labels they
 * were created with, exactly, up to the largest a request may give; their lists filter by {@code ?label=key} and
 * {@code ?label=key=value}, all filters at once, and only ever within the caller's team; the container list's
 * cached answer is never written for a filtered list, nor a filtered one for the whole list. Bad labels and bad
 * filters are 400s naming the field, and a refused create leaves nothing behind. An image built with labels shows
 * them in the API and on the images page; the dashboard shows the labels of containers, volumes and projects.
 */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class LabelApiTests {

    static final String PASSWORD = ApiTeam.PASSWORD;
    static final JsonMapper JSON = JsonMapper.builder().build();
    static TestNode env;
    static String image;
    static dev.wharf.runtime.api.RuntimeService node;

    @LocalServerPort
    int port;

    @Autowired
    dev.wharf.runtime.api.RuntimeService runtime;

    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    Http admin;
    final List<ApiTeam> teams = new ArrayList<>();

    @BeforeAll
    static void registry() throws Exception {
        env = TestNode.start("wharf-labels-");
        image = env.push(BusyboxLayout.AMD64, "library/busybox:1");
    }

    @DynamicPropertySource
    static void runtime(DynamicPropertyRegistry properties) {
        env.register(properties);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (env != null) {
            env.close(node);
        }
    }

    @BeforeEach
    void admin() {
        node = runtime;
        admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
    }

    @AfterEach
    void deleteContainers() {
        teams.forEach(ApiTeam::deleteContainers);
    }

    /** A new team ({@code <prefix>-<random>}) with a member (user {@code <team>-member}), removed at the end. */
    private ApiTeam team(String prefix) {
        ApiTeam team = ApiTeam.create(port, prefix);
        teams.add(team);
        return team;
    }

    private static String json(Object value) {
        return JSON.writeValueAsString(value);
    }

    private static Map<String, String> labels(String... keysAndValues) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            labels.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return labels;
    }

    /** Creates a running container (sleeping) with these labels, in {@code project} unless null. */
    private Response container(Http as, String team, String name, String project, Map<String, String> labels) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("image", image);
        body.put("command", List.of("sleep", "300"));
        if (project != null) {
            body.put("project", project);
        }
        if (labels != null) {
            body.put("labels", labels);
        }
        return as.post("/api/v1/teams/" + team + "/containers", json(body));
    }

    private Response volume(Http as, String team, String name, Map<String, String> labels) {
        return as.post("/api/v1/teams/" + team + "/volumes", json(Map.of("name", name, "size", "1Mi", "labels", labels)));
    }

    private Response project(Http as, String team, String name, Map<String, String> labels) {
        return as.post("/api/v1/teams/" + team + "/projects", json(Map.of("name", name, "labels", labels)));
    }

    private static Response created(Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response;
    }

    /** The names in a list answer, in its order. */
    private static List<String> names(Response list) {
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        return StreamSupport.stream(list.json().spliterator(), false).map(item -> item.get("name").asString()).toList();
    }

    private static Map<String, String> labelsOf(JsonNode view) {
        return JSON.convertValue(view.get("labels"), new tools.jackson.core.type.TypeReference<Map<String, String>>() {
        });
    }

    @Test
    void containerListsFilterByLabelExactlyAndTheCachedListStaysWhole() {
        ApiTeam made = team("lc");
        String team = made.name();
        Http member = made.member();
        created(project(member, team, "shop", Map.of()));
        String list = "/api/v1/teams/" + team + "/containers";
        created(container(member, team, "api", null, labels("tier", "web", "env", "prod")));
        created(container(member, team, "db", "shop", labels("tier", "db", "env", "prod", "note", "a,b")));
        Response web = created(container(member, team, "web", "shop", labels("tier", "web", "env", "dev", "url", "http://x/?a=b&c=d",
                "empty", "")));
        created(container(member, team, "plain", null, null));
        assertThat(web.json().get("state").asString()).isEqualTo("running");
        assertThat(labelsOf(web.json())).isEqualTo(labels("empty", "", "env", "dev", "tier", "web", "url", "http://x/?a=b&c=d"));
        assertThat(labelsOf(member.get(list + "/plain").json())).isEmpty();

        // the whole list, twice: the second is the remembered answer
        assertThat(names(member.get(list))).containsExactly("api", "db", "plain", "web");
        assertThat(names(member.get(list))).containsExactly("api", "db", "plain", "web");
        assertThat(names(member.get(list + "?label=tier"))).containsExactly("api", "db", "web");
        assertThat(names(member.get(list + "?label=tier=web"))).containsExactly("api", "web");
        assertThat(names(member.get(list + "?label=tier=web&label=env=prod"))).containsExactly("api");
        assertThat(names(member.get(list + "?label=env=prod&label=tier=db"))).containsExactly("db");
        assertThat(names(member.get(list + "?label=tier=web&label=note"))).isEmpty();
        assertThat(names(member.get(list + "?label=url=http://x/?a%3Db%26c%3Dd"))).containsExactly("web");
        assertThat(names(member.get(list + "?label=url%3Dhttp%3A%2F%2Fx%2F%3Fa%3Db%26c%3Dd"))).containsExactly("web");
        assertThat(names(member.get(list + "?label=url=http://x/?a%3Db"))).isEmpty();
        assertThat(names(member.get(list + "?label=note=a,b"))).containsExactly("db");
        assertThat(names(member.get(list + "?label=note=a"))).isEmpty();
        assertThat(names(member.get(list + "?label=empty="))).containsExactly("web");
        assertThat(names(member.get(list + "?label=env=pro"))).isEmpty();
        assertThat(names(member.get(list + "?label=TIER"))).isEmpty();
        assertThat(names(member.get(list + "?label=nothing"))).isEmpty();
        assertThat(names(member.get(list + "?project=shop&label=tier=web"))).containsExactly("web");
        assertThat(names(member.get(list + "?project=shop"))).containsExactly("db", "web");
        // after filtered lists, the whole list is whole again, and a filtered one still filtered
        assertThat(names(member.get(list))).containsExactly("api", "db", "plain", "web");
        assertThat(names(member.get(list + "?label=env=prod"))).containsExactly("api", "db");

        // a change of a listed container shows in the filtered list too; a deleted one leaves it
        JsonNode stopped = member.post(list + "/db/stop?timeout=0", "").json();
        assertThat(stopped.get("state").asString()).isEqualTo("exited");
        JsonNode filtered = member.get(list + "?label=env=prod").json();
        assertThat(filtered.get(1).get("name").asString()).isEqualTo("db");
        assertThat(filtered.get(1).get("state").asString()).isEqualTo("exited");
        assertThat(labelsOf(filtered.get(1))).isEqualTo(labels("env", "prod", "note", "a,b", "tier", "db"));
        assertThat(member.delete(list + "/api?force=true").status()).isEqualTo(204);
        assertThat(names(member.get(list + "?label=env=prod"))).containsExactly("db");
        assertThat(names(member.get(list))).containsExactly("db", "plain", "web");
    }

    @Test
    void volumeAndProjectListsFilterByLabelExactly() {
        ApiTeam made = team("lv");
        String team = made.name();
        Http member = made.member();
        created(volume(member, team, "cache", labels("tier", "web", "env", "prod")));
        Response data = created(volume(member, team, "data", labels("tier", "db", "env", "prod", "dsn", "host=db;user=app")));
        created(volume(member, team, "scratch", Map.of()));
        assertThat(labelsOf(data.json())).isEqualTo(labels("dsn", "host=db;user=app", "env", "prod", "tier", "db"));
        String volumes = "/api/v1/teams/" + team + "/volumes";
        assertThat(labelsOf(member.get(volumes + "/data").json())).isEqualTo(labels("dsn", "host=db;user=app", "env", "prod", "tier", "db"));
        assertThat(names(member.get(volumes))).containsExactly("cache", "data", "scratch");
        assertThat(names(member.get(volumes + "?label=tier"))).containsExactly("cache", "data");
        assertThat(names(member.get(volumes + "?label=tier=db"))).containsExactly("data");
        assertThat(names(member.get(volumes + "?label=env=prod&label=tier=web"))).containsExactly("cache");
        assertThat(names(member.get(volumes + "?label=dsn=host=db;user=app"))).containsExactly("data");
        assertThat(names(member.get(volumes + "?label=dsn=host=db"))).isEmpty();
        assertThat(names(member.get(volumes + "?label=tier=cache"))).isEmpty();

        created(project(member, team, "shop", labels("owner", "shop-team", "cost-center", "42=a")));
        created(project(member, team, "blog", labels("owner", "blog-team")));
        Response bare = member.post("/api/v1/teams/" + team + "/projects", "{\"name\":\"bare\"}");
        assertThat(labelsOf(created(bare).json())).isEmpty();
        String projects = "/api/v1/teams/" + team + "/projects";
        assertThat(labelsOf(member.get(projects + "/shop").json())).isEqualTo(labels("cost-center", "42=a", "owner", "shop-team"));
        assertThat(names(member.get(projects))).containsExactly("bare", "blog", "shop");
        assertThat(names(member.get(projects + "?label=owner"))).containsExactly("blog", "shop");
        assertThat(names(member.get(projects + "?label=owner=shop-team"))).containsExactly("shop");
        assertThat(names(member.get(projects + "?label=owner&label=cost-center=42=a"))).containsExactly("shop");
        assertThat(names(member.get(projects + "?label=owner=blog-team&label=cost-center"))).isEmpty();
        assertThat(names(member.get(projects + "?label=cost-center=42"))).isEmpty();
    }

    @Test
    void oneTeamsLabelFilterNeverShowsAnotherTeamsThings() {
        ApiTeam myTeam = team("la");
        ApiTeam theirTeam = team("lb");
        String mine = myTeam.name();
        String theirs = theirTeam.name();
        Http me = myTeam.member();
        Http them = theirTeam.member();
        for (String[] teamAndName : new String[][] {{mine, "mine"}, {theirs, "theirs"}}) {
            Http as = teamAndName[0].equals(mine) ? me : them;
            created(project(as, teamAndName[0], teamAndName[1], labels("app", "shared")));
            created(volume(as, teamAndName[0], teamAndName[1], labels("app", "shared")));
            created(container(as, teamAndName[0], teamAndName[1], null, labels("app", "shared")));
        }
        for (String kind : List.of("containers", "volumes", "projects")) {
            assertThat(names(me.get("/api/v1/teams/" + mine + "/" + kind + "?label=app=shared"))).as(kind).containsExactly("mine");
            assertThat(names(me.get("/api/v1/teams/" + mine + "/" + kind + "?label=app"))).as(kind).containsExactly("mine");
            assertThat(names(them.get("/api/v1/teams/" + theirs + "/" + kind + "?label=app=shared"))).as(kind).containsExactly("theirs");
            Response across = me.get("/api/v1/teams/" + theirs + "/" + kind + "?label=app=shared");
            assertThat(across.status()).as(kind).isEqualTo(404);
            assertThat(across.body()).doesNotContain("\"theirs\"");
        }
    }

    @Test
    void theLargestLabelsRoundTripAsGiven() {
        ApiTeam made = team("ll");
        String team = made.name();
        Http member = made.member();
        Map<String, String> largest = new LinkedHashMap<>();
        for (int i = 0; i < 64; i++) {
            // every character of the value needs escaping in JSON, and one is past the Basic Multilingual Plane
            largest.put(String.format("k%02d.example/%s", i, "x".repeat(116)), ("\"\\\n\u0001" + i).repeat(256).substring(0, 1022) + "😀");
        }
        assertThat(largest.keySet()).allMatch(key -> key.length() == 128);
        assertThat(largest.values()).allMatch(value -> value.length() == 1024);

        Response container = created(container(member, team, "big", null, largest));
        assertThat(labelsOf(container.json())).isEqualTo(largest);
        assertThat(labelsOf(member.get("/api/v1/teams/" + team + "/containers/big").json())).isEqualTo(largest);
        assertThat(labelsOf(created(volume(member, team, "big", largest)).json())).isEqualTo(largest);
        assertThat(labelsOf(member.get("/api/v1/teams/" + team + "/volumes/big").json())).isEqualTo(largest);
        assertThat(labelsOf(created(project(member, team, "big", largest)).json())).isEqualTo(largest);
        assertThat(labelsOf(member.get("/api/v1/teams/" + team + "/projects/big").json())).isEqualTo(largest);
        String k07 = largest.keySet().stream().skip(7).findFirst().orElseThrow();
        String filter = "?label=" + java.net.URLEncoder.encode(k07 + "=" + largest.get(k07), java.nio.charset.StandardCharsets.UTF_8);
        for (String kind : List.of("containers", "volumes", "projects")) {
            assertThat(names(member.get("/api/v1/teams/" + team + "/" + kind + filter))).as(kind).containsExactly("big");
        }
    }

    @Test
    void badLabelsAreRefusedNamingTheFieldAndCreateNothing() {
        ApiTeam made = team("lr");
        String team = made.name();
        Http member = made.member();
        Map<String, String> tooMany = new LinkedHashMap<>();
        for (int i = 0; i <= 64; i++) {
            tooMany.put("k" + i, "v");
        }
        Map<String, Map<String, String>> refusals = new LinkedHashMap<>();
        refusals.put("at most 64 labels, got 65", tooMany);
        refusals.put("label key \"-tier\" is not valid", labels("app", "shop", "-tier", "web"));
        refusals.put("label key \"a=b\" is not valid", labels("a=b", "c"));
        refusals.put("label key \"" + "k".repeat(129) + "\" is not valid", labels("k".repeat(129), "v"));
        refusals.put("label \"app\" needs a string value of at most 1024 characters", labels("app", "x".repeat(1025)));
        refusals.forEach((detail, labels) -> {
            for (Response refused : List.of(container(member, team, "c", null, labels), volume(member, team, "v", labels),
                    project(member, team, "p", labels))) {
                assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
                assertThat(refused.json().get("detail").asString()).contains(detail);
                assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("labels");
            }
        });
        // a label value that is not a string
        Response number = member.post("/api/v1/teams/" + team + "/projects", "{\"name\":\"p\",\"labels\":{\"a\":null}}");
        assertThat(number.status()).as(number.toString()).isEqualTo(400);
        assertThat(number.json().get("errors").get(0).get("field").asString()).isEqualTo("labels");

        for (String kind : List.of("containers", "volumes", "projects")) {
            assertThat(names(member.get("/api/v1/teams/" + team + "/" + kind))).as(kind).isEmpty();
        }
        JsonNode usage = member.get("/api/v1/teams/" + team + "/quota").json().get("usage");
        assertThat(usage.get("containers").asLong()).isZero();
        assertThat(usage.get("storage").asLong()).isZero();
        long teamId = jdbc.queryForObject("select id from teams where name = ?", Long.class, team);
        assertThat(runtime.volumes(teamId)).isEmpty();
        assertThat(runtime.list()).noneMatch(c -> c.name().equals("c") && c.teamId() == teamId);
    }

    @Test
    void aBadFilterIsA400NamingTheParameter() {
        ApiTeam made = team("lf");
        String team = made.name();
        Http member = made.member();
        created(container(member, team, "web", null, labels("app", "shop")));
        for (String kind : List.of("containers", "volumes", "projects")) {
            for (String filter : List.of("=x", "", "=", "app%20x", "-app", "app&label==shop", "app=" + "x".repeat(1025))) {
                Response refused = member.get("/api/v1/teams/" + team + "/" + kind + "?label=" + filter);
                assertThat(refused.status()).as(kind + " ?label=" + filter).isEqualTo(400);
                assertThat(refused.contentType()).startsWith("application/problem+json");
                assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("label");
            }
        }
        // the refusals left the remembered list as it was
        assertThat(names(member.get("/api/v1/teams/" + team + "/containers"))).containsExactly("web");
        assertThat(names(member.get("/api/v1/teams/" + team + "/containers?label=app=shop"))).containsExactly("web");

        // the OpenAPI document names the filter on each list
        JsonNode paths = Http.to(port).get("/v3/api-docs").json().get("paths");
        for (String kind : List.of("containers", "volumes", "projects")) {
            JsonNode parameters = paths.get("/api/v1/teams/{team}/" + kind).get("get").get("parameters");
            assertThat(StreamSupport.stream(parameters.spliterator(), false).map(p -> p.get("name").asString() + " in " + p.get("in").asString()))
                    .as(kind).contains("label in query");
        }
    }

    @Test
    void imageLabelsShowOnTheImageAndTheImagesPage() throws Exception {
        ApiTeam made = team("li");
        String team = made.name();
        Http member = made.member();
        OciImageBuilder builder = OciImageBuilder.start(Files.createDirectories(env.work.resolve(team)), "t");
        BusyboxRootfs.create(builder.rootfs());
        builder.commit();
        builder.config("--config.label", "org.opencontainers.image.title=Shop <web>", "--config.label", "com.example.dsn=host=db;user=app",
                "--config.label", "empty=");
        String reference = env.registry.host() + "/" + team + "/labelled:1";
        env.registry.push("oci:" + builder.layout() + ":t", team + "/labelled:1");

        Response pulled = created(member.post("/api/v1/teams/" + team + "/images/pull", json(Map.of("reference", reference))));
        Map<String, String> expected = labels("com.example.dsn", "host=db;user=app", "empty", "", "org.opencontainers.image.title",
                "Shop <web>");
        assertThat(labelsOf(pulled.json())).isEqualTo(expected);
        long id = pulled.json().get("id").asLong();
        assertThat(labelsOf(member.get("/api/v1/teams/" + team + "/images/" + id).json())).isEqualTo(expected);
        Response busybox = created(member.post("/api/v1/teams/" + team + "/images/pull", json(Map.of("reference", image))));
        assertThat(labelsOf(busybox.json())).isEmpty();
        JsonNode listed = member.get("/api/v1/teams/" + team + "/images").json();
        assertThat(listed).hasSize(2);
        for (JsonNode entry : listed) {
            assertThat(labelsOf(entry)).isEqualTo(entry.get("id").asLong() == id ? expected : Map.of());
        }

        String page = Http.loggedIn(port, team + "-member", PASSWORD).get("/teams/" + team + "/images").body();
        String row = page.substring(page.indexOf("data-image=\"" + reference + "\""));
        row = row.substring(0, row.indexOf("</tr>"));
        assertThat(row).contains("org.opencontainers.image.title=Shop &lt;web&gt;").contains("com.example.dsn=host=db;user=app")
                .contains(">empty=<").doesNotContain("<web>");
    }

    @Test
    void theDashboardShowsTheLabelsOfContainersVolumesAndProjects() {
        ApiTeam made = team("ld");
        String team = made.name();
        Http member = made.member();
        created(project(member, team, "shop", labels("owner", "<shop-team>")));
        created(container(member, team, "web", "shop", labels("tier", "web", "url", "http://x/?a=b&c=d")));
        created(container(member, team, "plain", null, null));
        created(volume(member, team, "data", labels("backup", "nightly")));
        created(volume(member, team, "scratch", Map.of()));
        Http browser = Http.loggedIn(port, team + "-member", PASSWORD);

        String container = browser.get("/teams/" + team + "/containers/web").body();
        String labels = container.substring(container.indexOf("id=\"container-labels\""));
        labels = labels.substring(0, labels.indexOf("</dd>"));
        assertThat(labels).contains(">tier=web<").contains(">url=http://x/?a=b&amp;c=d<");
        assertThat(browser.get("/teams/" + team + "/containers/web/summary").body()).contains("id=\"container-labels\"");
        assertThat(browser.get("/teams/" + team + "/containers/plain").body()).doesNotContain("id=\"container-labels\"");

        String volumes = browser.get("/teams/" + team + "/volumes").body();
        String data = volumes.substring(volumes.indexOf("data-volume=\"data\""));
        assertThat(data.substring(0, data.indexOf("</tr>"))).contains(">backup=nightly<");
        String scratch = volumes.substring(volumes.indexOf("data-volume=\"scratch\""));
        assertThat(scratch.substring(0, scratch.indexOf("</tr>"))).doesNotContain("backup").contains(">no labels<");

        String project = browser.get("/teams/" + team + "/projects/shop").body();
        assertThat(project).contains("id=\"project-labels\"").contains(">owner=&lt;shop-team&gt;<").doesNotContain("<shop-team>");
    }
}
