package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.DockerCli;
import dev.wharf.testing.Http;
import dev.wharf.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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

/**
 * A team's containers through the real Docker CLI: create, run -d, start, ps (-a, label filters), inspect, logs, stop,
 * kill, wait, rm -f, the same containers REST shows; every option that would reach the host is refused and creates
 * nothing; a viewer reads but changes nothing; another team's certificate finds none of them.
 */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class DockerContainerTests {

    static TestNode env;
    static String image;
    static dev.wharf.runtime.api.RuntimeService node;

    @LocalServerPort
    int port;

    @Autowired
    dev.wharf.runtime.api.RuntimeService runtime;

    @BeforeAll
    static void registry() throws Exception {
        DockerCli.require();
        env = TestNode.start("wharf-docker-ctr-");
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

    private ApiTeam team(String prefix) {
        node = runtime;
        ApiTeam team = ApiTeam.create(port, prefix);
        assertThat(team.member().post("/api/v1/teams/" + team.name() + "/images/pull", "{\"reference\":\"" + image + "\"}").status())
                .isEqualTo(201);
        return team;
    }

    private static DockerCli.Result ok(DockerCli cli, String... args) throws Exception {
        DockerCli.Result result = cli.run(List.of(args), null, Duration.ofSeconds(90));
        assertThat(result.exitCode()).as(String.join(" ", args) + " → " + result).isZero();
        return result;
    }

    private static JsonNode rest(ApiTeam team, String name) {
        return team.member().get("/api/v1/teams/" + team.name() + "/containers/" + name).json();
    }

    private static void waitFor(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(until);
            Thread.sleep(200);
        }
    }

    @Test
    void createStartListInspectLogStopWaitAndRemoveWithTheDockerCli() throws Exception {
        ApiTeam team = team("dkc");
        DockerCli docker = DockerClientCert.issue(team.member(), team.name(), env.work.resolve("member")).cli();

        DockerCli.Result created = ok(docker, "create", "--name", "web", "--label", "app=shop", "-e", "GREETING=hello-docker", "-m", "64m",
                "--cpus", "0.5", image, "sh", "-c", "echo $GREETING; echo oops >&2; sleep 300");
        String id = created.stdout().strip();
        assertThat(id).matches("[0-9a-f]{64}");
        JsonNode view = rest(team, "web");
        assertThat(id).startsWith(view.get("id").asString());
        assertThat(view.get("state").asString()).isEqualTo("created");
        assertThat(view.get("resources").get("memory").asLong()).isEqualTo(64L << 20);
        assertThat(view.get("resources").get("cpus").asDouble()).isEqualTo(0.5);
        assertThat(view.get("labels").get("app").asString()).isEqualTo("shop");
        assertThat(view.get("env").get("GREETING").asString()).isEqualTo("hello-docker");
        assertThat(ok(docker, "ps", "-a", "--format", "{{.Names}} {{.State}}").stdout().strip()).isEqualTo("web created");
        assertThat(ok(docker, "ps", "-q").stdout()).isBlank();

        assertThat(ok(docker, "start", "web").stdout().strip()).isEqualTo("web");
        assertThat(ok(docker, "ps", "--format", "{{.Names}} {{.State}}", "--filter", "label=app=shop").stdout().strip())
                .isEqualTo("web running");
        assertThat(ok(docker, "ps", "-q", "--filter", "label=app=other").stdout()).isBlank();
        assertThat(ok(docker, "ps", "-q", "--filter", "label=app").stdout().strip()).isEqualTo(id.substring(0, 12));
        assertThat(ok(docker, "inspect", "--format", "{{.Id}} {{.Name}} {{.State.Status}} {{.State.Running}} {{.HostConfig.Memory}}"
                + " {{.HostConfig.NanoCpus}} {{json .Config.Labels}}", id.substring(0, 5)).stdout().strip())
                .isEqualTo(id + " /web running true 67108864 500000000 {\"app\":\"shop\"}");

        // the framing: the CLI splits the frames into its own stdout and stderr
        waitFor("the log has both lines", () -> {
            try {
                DockerCli.Result log = docker.run("logs", "web");
                return log.stdout().contains("hello-docker") && log.stderr().contains("oops");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        DockerCli.Result log = ok(docker, "logs", "web");
        assertThat(log.stdout().strip()).isEqualTo("hello-docker");
        assertThat(log.stderr().strip()).isEqualTo("oops");
        assertThat(ok(docker, "logs", "--tail", "1", "-t", "web").toString()).containsPattern("\\d{4}-\\d\\d-\\d\\dT\\S+ ");

        // docker run -d without limits takes the team's defaults
        String sleeper = ok(docker, "run", "-d", "--name", "sleeper", image, "sleep", "300").stdout().strip();
        JsonNode sleeperView = rest(team, "sleeper");
        assertThat(sleeperView.get("state").asString()).isEqualTo("running");
        assertThat(ok(docker, "inspect", "--format", "{{.HostConfig.Memory}}", "sleeper").stdout().strip())
                .isEqualTo(String.valueOf(sleeperView.get("resources").get("memory").asLong()));
        assertThat(ok(docker, "ps", "--format", "{{.Names}}").stdout().lines().sorted().toList()).containsExactly("sleeper", "web");

        ok(docker, "stop", "-t", "1", "web");
        assertThat(rest(team, "web").get("state").asString()).isEqualTo("exited");
        String code = ok(docker, "wait", "web").stdout().strip();
        assertThat(code).isEqualTo(String.valueOf(rest(team, "web").get("exitCode").asInt()));
        assertThat(ok(docker, "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "web").stdout().strip())
                .isEqualTo("exited " + code);

        ok(docker, "run", "-d", "--name", "three", image, "sh", "-c", "sleep 1; exit 3");
        assertThat(ok(docker, "wait", "three").stdout().strip()).isEqualTo("3");

        ok(docker, "kill", sleeper.substring(0, 12));
        waitFor("killed", () -> rest(team, "sleeper").get("state").asString().equals("exited"));
        assertThat(rest(team, "sleeper").get("exitCode").asInt()).isEqualTo(137);

        ok(docker, "start", "sleeper");
        ok(docker, "rm", "-f", "sleeper", "web", "three");
        assertThat(ok(docker, "ps", "-a", "-q").stdout()).isBlank();
        assertThat(team.member().get("/api/v1/teams/" + team.name() + "/containers").json().size()).isZero();
        assertThat(docker.run("container", "inspect", "web").stderr()).contains("No such container: web");

        // made through the Docker API, audited as the certificate's user
        JsonNode audit = team.admin().get("/api/v1/audit?team=" + team.name() + "&limit=1000").json();
        assertThat(audit.toString()).contains("/docker-engine/containers/create").contains(team.name() + "-member");
    }

    @Test
    void everyOptionThatReachesTheHostIsRefusedAndCreatesNothing() throws Exception {
        ApiTeam team = team("dkr");
        DockerCli docker = DockerClientCert.issue(team.member(), team.name(), env.work.resolve("refused")).cli();
        List<List<String>> table = List.of(
                List.of("privileged", "--privileged"),
                List.of("CapAdd", "--cap-add", "SYS_ADMIN"),
                List.of("Devices", "--device", "/dev/null"),
                List.of("Devices", "--device-cgroup-rule", "c 1:3 rwm"),
                List.of("Binds of host paths", "-v", "/var/run/docker.sock:/var/run/docker.sock"),
                List.of("Binds of host paths", "-v", "/etc:/host-etc:ro"),
                List.of("Mounts of type bind", "--mount", "type=bind,source=/etc,target=/host-etc"),
                List.of("NetworkMode \"host\"", "--network", "host"),
                List.of("NetworkMode \"container:web\"", "--network", "container:web"),
                List.of("PidMode \"host\"", "--pid", "host"),
                List.of("IpcMode \"host\"", "--ipc", "host"),
                List.of("UTSMode \"host\"", "--uts", "host"),
                List.of("UsernsMode \"host\"", "--userns", "host"),
                List.of("SecurityOpt \"seccomp=unconfined\"", "--security-opt", "seccomp=unconfined"),
                List.of("SecurityOpt \"apparmor=unconfined\"", "--security-opt", "apparmor=unconfined"),
                List.of("Sysctls", "--sysctl", "net.ipv4.ip_forward=1"),
                List.of("CgroupParent", "--cgroup-parent", "/"),
                List.of("Runtime \"runsc\"", "--runtime", "runsc"));
        List<String> failures = new ArrayList<>();
        for (List<String> row : table) {
            List<String> args = new ArrayList<>(List.of("run", "-d", "--name", "refused"));
            args.addAll(row.subList(1, row.size()));
            args.addAll(List.of(image, "true"));
            DockerCli.Result result = docker.run(args, null, Duration.ofSeconds(60));
            if (result.exitCode() == 0 || !result.stderr().contains("Error response from daemon: " + row.get(0))
                    || !result.stderr().contains("is not allowed")) {
                failures.add(row + " → " + result);
            }
            if (!docker.run("ps", "-a", "-q").stdout().isBlank()) {
                failures.add(row + " created a container");
                docker.run("rm", "-f", "refused");
            }
        }
        assertThat(failures).isEmpty();
        assertThat(DockerClientCert.issue(team.member(), team.name(), env.work.resolve("raw")).http()
                .post("/v1.41/containers/create?name=raw", "{\"Image\":\"" + image + "\",\"HostConfig\":{\"Privileged\":true}}")
                .status()).isEqualTo(403);
        assertThat(team.member().get("/api/v1/teams/" + team.name() + "/containers").json().size()).isZero();

        // no-new-privileges is what every Wharf container has anyway
        ok(docker, "run", "-d", "--name", "nnp", "--security-opt", "no-new-privileges", image, "sleep", "300");
        ok(docker, "rm", "-f", "nnp");
        // what this API does not offer yet is refused with 400 and creates nothing, never ignored
        DockerCli.Result ports = docker.run("run", "-d", "--name", "ported", "-p", "8080:80", image, "true");
        assertThat(ports.exitCode()).isNotZero();
        assertThat(ports.stderr()).contains("published ports (-p, -P) is not supported");
        assertThat(ok(docker, "ps", "-a", "-q").stdout()).isBlank();
    }

    @Test
    void aViewerReadsAndAnotherTeamFindsNothing() throws Exception {
        ApiTeam team = team("dkv");
        String viewerName = team.name() + "-viewer";
        team.admin().post("/api/v1/users", "{\"name\":\"" + viewerName + "\",\"password\":\"" + ApiTeam.PASSWORD + "\"}");
        team.admin().put("/api/v1/teams/" + team.name() + "/members/" + viewerName, "{\"role\":\"viewer\"}");
        DockerCli docker = DockerClientCert.issue(team.member(), team.name(), env.work.resolve("owner")).cli();
        DockerCli viewer = DockerClientCert.issue(Http.to(port).basic(viewerName, ApiTeam.PASSWORD), team.name(), env.work.resolve("viewer"))
                .cli();
        ApiTeam other = team("dkw");
        DockerCli stranger = DockerClientCert.issue(other.member(), other.name(), env.work.resolve("stranger")).cli();

        String id = ok(docker, "run", "-d", "--name", "web", image, "sh", "-c", "echo mine; sleep 300").stdout().strip();
        assertThat(ok(viewer, "ps", "--format", "{{.Names}}").stdout().strip()).isEqualTo("web");
        waitFor("the log", () -> {
            try {
                return viewer.run("logs", "web").stdout().contains("mine");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        DockerCli.Result refused = viewer.run("run", "-d", "--name", "viewers", image, "sleep", "300");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("you are a viewer");
        for (List<String> write : List.of(List.of("stop", "web"), List.of("kill", "web"), List.of("rm", "-f", "web"))) {
            DockerCli.Result result = viewer.run(write, null, Duration.ofSeconds(30));
            assertThat(result.exitCode()).as(write.toString()).isNotZero();
            assertThat(result.stderr()).as(write.toString()).contains("you are a viewer");
        }

        assertThat(ok(stranger, "ps", "-a", "-q").stdout()).isBlank();
        for (String ref : List.of("web", "/web", id, id.substring(0, 12), id.substring(0, 4))) {
            for (List<String> call : List.of(List.of("container", "inspect", ref), List.of("logs", ref), List.of("stop", ref), List.of("kill", ref),
                    List.of("rm", "-f", ref), List.of("wait", ref), List.of("start", ref), List.of("restart", ref))) {
                DockerCli.Result result = stranger.run(call, null, Duration.ofSeconds(30));
                if (!call.get(0).equals("rm")) { // docker rm -f, as with Docker, exits 0 for a container it does not find
                    assertThat(result.exitCode()).as(call + " " + result).isNotZero();
                }
                assertThat(result.stderr()).as(call.toString()).contains("No such container");
            }
        }
        assertThat(ok(stranger, "ps", "-a", "-q", "--filter", "name=web").stdout()).isBlank();
        JsonNode view = rest(team, "web");
        assertThat(view.get("state").asString()).isEqualTo("running");
        assertThat(view.get("restartCount").asInt()).isZero();
        assertThat(ok(viewer, "ps", "--format", "{{.Names}}").stdout().strip()).isEqualTo("web");
        ok(docker, "rm", "-f", "web");
    }

    @Test
    void overQuotaTheCliPrintsTheSentenceRestGivesAndNothingIsMade() throws Exception {
        ApiTeam team = team("dkq");
        DockerCli docker = DockerClientCert.issue(team.member(), team.name(), env.work.resolve("quota")).cli();
        assertThat(team.admin().put("/api/v1/teams/" + team.name() + "/quota", "{\"memory\":\"64Mi\"}").status()).isEqualTo(200);
        String detail = team.member().post("/api/v1/teams/" + team.name() + "/containers",
                "{\"name\":\"big\",\"image\":\"" + image + "\",\"resources\":{\"memory\":\"128Mi\"}}").json().get("detail").asString();
        assertThat(detail).isNotBlank();
        DockerCli.Result refused = docker.run("run", "-d", "--name", "big", "-m", "128m", image, "sleep", "300");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("Error response from daemon: " + detail);
        assertThat(ok(docker, "ps", "-a", "-q").stdout()).isBlank();
        assertThat(team.member().get("/api/v1/teams/" + team.name() + "/containers").json().size()).isZero();
    }

    @Test
    void logsFollowStreamsUntilTheContainerExits() throws Exception {
        ApiTeam team = team("dkf");
        DockerCli docker = DockerClientCert.issue(team.member(), team.name(), env.work.resolve("follow")).cli();
        ok(docker, "run", "-d", "--name", "talker", image, "sh", "-c", "echo first; sleep 3; echo second >&2; echo third");
        long started = System.nanoTime();
        DockerCli.Result followed = ok(docker, "logs", "-f", "talker");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofSeconds(1));
        assertThat(followed.stdout().lines().toList()).containsExactly("first", "third");
        assertThat(followed.stderr().strip()).isEqualTo("second");
        assertThat(ok(docker, "wait", "talker").stdout().strip()).isEqualTo("0");
        ok(docker, "rm", "talker");
    }
}
