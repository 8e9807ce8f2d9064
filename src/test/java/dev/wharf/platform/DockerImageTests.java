package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.Commands;
import dev.wharf.testing.DockerCli;
import dev.wharf.testing.Http;
import dev.wharf.testing.TestNode;
import dev.wharf.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A team's images through the real Docker CLI: load, images, inspect, tag, pull from a loopback
 * registry, rmi, prune, info and system df; a viewer reads but changes nothing; another team sees
 * none of it; build and push say what to use instead.
 */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class DockerImageTests {

    static TestNode env;
    static String pulled;
    static TestRegistry guarded;

    @LocalServerPort
    int port;

    @BeforeAll
    static void registry() throws Exception {
        DockerCli.require();
        env = TestNode.start("wharf-docker-img-");
        pulled = env.push(BusyboxLayout.AMD64, "shop/busybox:1");
        guarded = TestRegistry.startWithLogin(Files.createDirectories(env.work.resolve("guarded")), "robot", "s3cret-pull");
        guarded.push("oci:" + env.layout + ":" + BusyboxLayout.AMD64, "private/busybox:1", "--dest-creds", "robot:s3cret-pull");
    }

    @DynamicPropertySource
    static void runtime(DynamicPropertyRegistry properties) {
        env.register(properties);
        properties.add("wharf.registries.insecure", () -> env.registry.host() + "," + guarded.host());
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (guarded != null) {
            guarded.close();
        }
        if (env != null) {
            env.close(null);
        }
    }

    @Test
    void loadListInspectTagPullRemoveAndPruneWithTheDockerCli() throws Exception {
        ApiTeam team = ApiTeam.create(port, "dki");
        String viewerName = team.name() + "-viewer";
        team.admin().post("/api/v1/users", "{\"name\":\"" + viewerName + "\",\"password\":\"" + ApiTeam.PASSWORD + "\"}");
        team.admin().put("/api/v1/teams/" + team.name() + "/members/" + viewerName, "{\"role\":\"viewer\"}");
        DockerCli docker = DockerClientCert.issue(team.member(), team.name(), env.work.resolve("member")).cli();
        DockerCli viewer = DockerClientCert.issue(Http.to(port).basic(viewerName, ApiTeam.PASSWORD), team.name(), env.work.resolve("viewer"))
                .cli();
        ApiTeam other = ApiTeam.create(port, "dkj");
        DockerCli stranger = DockerClientCert.issue(other.member(), other.name(), env.work.resolve("other")).cli();
        String pulledDigest = BusyboxLayout.digest(env.layout, BusyboxLayout.AMD64);

        Path archive = env.work.resolve("saved.tar");
        Commands.run(List.of("skopeo", "copy", "--quiet", "oci:" + env.layout + ":" + BusyboxLayout.AMD64,
                "docker-archive:" + archive + ":example/saved:2"));
        DockerCli.Result refusedLoad = viewer.run(List.of("load", "-i", archive.toString()), null, Duration.ofSeconds(60));
        assertThat(refusedLoad.exitCode()).as(refusedLoad.toString()).isNotZero();
        assertThat(refusedLoad.stderr()).contains("you are a viewer");
        Path garbage = Files.writeString(env.work.resolve("garbage.tar"), "not an archive at all");
        DockerCli.Result bad = docker.run(List.of("load", "-i", garbage.toString()), null, Duration.ofSeconds(60));
        assertThat(bad.exitCode()).as(bad.toString()).isNotZero();
        assertThat(bad.stderr()).startsWith("Error response from daemon: ").doesNotContain("internal error");
        assertThat(docker.run("images", "-q").stdout()).isBlank();
        DockerCli.Result loaded = docker.run(List.of("load"), archive, Duration.ofSeconds(60));
        assertThat(loaded.exitCode()).as(loaded.toString()).isZero();
        assertThat(loaded.stdout()).contains("Loaded image: example/saved:2");
        String digest = team.member().get("/api/v1/teams/" + team.name() + "/images").json().get(0).get("digest").asString();
        String shortId = digest.substring(7, 19);

        DockerCli.Result listed = viewer.run("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}");
        assertThat(listed.exitCode()).as(listed.toString()).isZero();
        assertThat(listed.stdout().strip()).isEqualTo("example/saved:2 " + shortId);
        assertThat(viewer.run("images", "-q", "--filter", "dangling=true").stdout()).isBlank();
        assertThat(viewer.run("images", "-q", "--filter", "reference=example/*").stdout().strip()).isEqualTo(shortId);
        assertThat(viewer.run("images", "-q", "--filter", "reference=other/*").stdout()).isBlank();
        DockerCli.Result inspected = viewer.run("image", "inspect", "--format", "{{.Id}} {{json .Config.Cmd}} {{.Config.WorkingDir}} {{.Os}}",
                "example/saved:2");
        assertThat(inspected.stdout().strip()).as(inspected.toString()).isEqualTo(digest + " [\"/bin/sh\"] /root linux");
        assertThat(viewer.run("image", "inspect", "--format", "{{.Id}}", shortId.substring(0, 5)).stdout().strip()).isEqualTo(digest);

        assertThat(viewer.run("tag", "example/saved:2", "mine/app:1").exitCode()).isNotZero();
        DockerCli.Result tagged = docker.run("tag", "example/saved:2", "mine/app:1");
        assertThat(tagged.exitCode()).as(tagged.toString()).isZero();
        JsonNode rest = team.member().get("/api/v1/teams/" + team.name() + "/images").json();
        assertThat(rest.toString()).contains("docker.io/mine/app:1").contains("docker.io/example/saved:2");

        // pull from the loopback registry, with Docker's progress stream; an unknown tag fails with the registry's reason
        assertThat(viewer.run("pull", pulled).stderr()).contains("you are a viewer");
        DockerCli.Result pull = docker.run(List.of("pull", pulled), null, Duration.ofSeconds(90));
        assertThat(pull.exitCode()).as(pull.toString()).isZero();
        assertThat(pull.stdout()).contains("Digest: " + pulledDigest).contains("Downloaded newer image for " + pulled);
        DockerCli.Result missing = docker.run("pull", pulled.substring(0, pulled.lastIndexOf(':')) + ":nope");
        assertThat(missing.exitCode()).as(missing.toString()).isNotZero();
        assertThat(missing.stderr()).contains("nope");
        assertThat(docker.run("images", "-q").stdout().lines().distinct().sorted().toList()) // two images (a docker-archive has a manifest of its own), three names
                .containsExactlyElementsOf(List.of(shortId, pulledDigest.substring(7, 19)).stream().sorted().toList());
        assertThat(docker.run("images", "--format", "{{.Repository}}:{{.Tag}}").stdout().lines().sorted().toList())
                .containsExactly(pulled, "example/saved:2", "mine/app:1");

        // the other team sees none of it, by name or by id
        assertThat(stranger.run("images", "-q").stdout()).isBlank();
        DockerCli.Result notTheirs = stranger.run("image", "inspect", shortId);
        assertThat(notTheirs.exitCode()).isNotZero();
        assertThat(notTheirs.stderr()).contains("No such image: " + shortId);
        assertThat(stranger.run("rmi", "example/saved:2").stderr()).contains("No such image: example/saved:2");
        assertThat(stranger.run("tag", shortId, "stolen:1").exitCode()).isNotZero();
        assertThat(stranger.run("images", "-q").stdout()).isBlank();

        DockerCli.Result info = docker.run("info", "--format", "{{.OperatingSystem}} {{.Images}}");
        assertThat(info.stdout().strip()).as(info.toString()).isEqualTo("Wharf 2");
        DockerCli.Result history = viewer.run("history", "--format", "{{.ID}} {{.Size}}", "example/saved:2");
        assertThat(history.exitCode()).as(history.toString()).isZero();
        assertThat(history.stdout().lines().findFirst().orElseThrow()).startsWith(shortId + " ");
        DockerCli.Result df = docker.run("system", "df");
        assertThat(df.exitCode()).as(df.toString()).isZero();
        assertThat(df.stdout()).contains("Images").contains("Local Volumes");

        DockerCli.Result byId = docker.run("rmi", shortId);
        assertThat(byId.exitCode()).isNotZero();
        assertThat(byId.stderr()).contains("must be forced");
        DockerCli.Result untagged = docker.run("rmi", "mine/app:1");
        assertThat(untagged.exitCode()).as(untagged.toString()).isZero();
        assertThat(untagged.stdout()).contains("Untagged: mine/app:1").doesNotContain("Deleted");
        assertThat(viewer.run("image", "prune", "-a", "-f").exitCode()).isNotZero();
        DockerCli.Result pruned = docker.run("image", "prune", "-a", "-f");
        assertThat(pruned.exitCode()).as(pruned.toString()).isZero();
        assertThat(pruned.stdout()).contains("deleted: " + digest).contains("deleted: " + pulledDigest).contains("untagged: " + pulled);
        assertThat(docker.run("images", "-q").stdout()).isBlank();
        assertThat(team.member().get("/api/v1/teams/" + team.name() + "/images").json()).isEmpty();
    }

    @Test
    void buildPushSearchAndLoginSayWhatToUseInstead() throws Exception {
        ApiTeam team = ApiTeam.create(port, "dkk");
        DockerCli docker = DockerClientCert.issue(team.member(), team.name(), env.work.resolve("build")).cli();
        Path context = Files.createDirectories(env.work.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\n");
        DockerCli.Result build = docker.run("build", "-t", "x:1", context.toString());
        assertThat(build.exitCode()).as(build.toString()).isNotZero();
        assertThat(build.stderr()).contains("Wharf does not build images");
        DockerCli.Result search = docker.run("search", "busybox");
        assertThat(search.exitCode()).isNotZero();
        assertThat(search.stderr()).contains("Wharf does not search registries");
        DockerCli.Result login = docker.run("login", "-u", "robot", "-p", "s3cret-pull", guarded.host());
        assertThat(login.exitCode()).isNotZero();
        assertThat(login.stderr()).contains("Wharf does not check registry logins");
        DockerCli.Result push = docker.run("push", "example/x:1");
        assertThat(push.exitCode()).as(push.toString()).isNotZero();
        assertThat(push.stderr() + push.stdout()).contains("Wharf does not push images");
    }

    @Test
    void infoShowsTheTeamsQuotaAsTheMachine() throws Exception {
        ApiTeam team = ApiTeam.create(port, "dkl");
        Http.Response quota = team.admin().put("/api/v1/teams/" + team.name() + "/quota", "{\"cpus\":1.5,\"memory\":\"512Mi\"}");
        assertThat(quota.status()).as(quota.toString()).isEqualTo(200);
        DockerClientCert cert = DockerClientCert.issue(team.member(), team.name(), env.work.resolve("info"));
        DockerCli.Result info = cert.cli().run("info", "--format", "{{.OperatingSystem}} {{.NCPU}} {{.MemTotal}} {{.Containers}}");
        assertThat(info.stdout().strip()).as(info.toString()).isEqualTo("Wharf 2 536870912 0");
        // X-Registry-Auth that does not decode is refused; an empty one means none
        Http docker = cert.http().header("X-Registry-Auth", "%%%");
        assertThat(docker.post("/images/create?fromImage=" + pulled, "").status()).isEqualTo(400);
        Http empty = cert.http().header("X-Registry-Auth", Base64.getUrlEncoder().encodeToString("{}".getBytes()));
        assertThat(empty.post("/images/create?fromImage=" + pulled.substring(0, pulled.lastIndexOf(':')) + "&tag=1", "").body()).contains("Digest: sha256:");
    }

    @Test
    void aPullUsesTheClientsRegistryLoginOrTheTeams() throws Exception {
        ApiTeam team = ApiTeam.create(port, "dkr");
        DockerClientCert cert = DockerClientCert.issue(team.member(), team.name(), env.work.resolve("login"));
        String image = guarded.host() + "/private/busybox:1";
        DockerCli.Result anonymous = cert.cli().run("pull", image);
        assertThat(anonymous.exitCode()).as(anonymous.toString()).isNotZero();

        // the CLI sends X-Registry-Auth from its own config (what docker login leaves there)
        Files.writeString(env.work.resolve("login/config/config.json"), "{\"auths\":{\"" + guarded.host() + "\":{\"auth\":\""
                + Base64.getEncoder().encodeToString("robot:s3cret-pull".getBytes()) + "\"}}}");
        DockerCli.Result withLogin = cert.cli().run(List.of("pull", image), null, Duration.ofSeconds(90));
        assertThat(withLogin.exitCode()).as(withLogin.toString()).isZero();
        assertThat(withLogin.stdout()).contains("Downloaded newer image for " + image);
        assertThat(team.member().get("/api/v1/teams/" + team.name() + "/registries").body()).doesNotContain("robot"); // used, not kept

        // another team's member, with the team's login kept in Wharf (no client login)
        ApiTeam other = ApiTeam.create(port, "dks");
        assertThat(other.admin().put("/api/v1/teams/" + other.name() + "/registries/" + guarded.host(),
                "{\"username\":\"robot\",\"password\":\"s3cret-pull\"}").status()).isEqualTo(200);
        DockerCli.Result teamLogin = DockerClientCert.issue(other.member(), other.name(), env.work.resolve("login2")).cli()
                .run(List.of("pull", image), null, Duration.ofSeconds(90));
        assertThat(teamLogin.exitCode()).as(teamLogin.toString()).isZero();
    }
}
