package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wharf.WharfApplication;
import dev.wharf.runtime.network.NetworkSettings;
import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.Http;
import dev.wharf.testing.NodeProcess;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.Terminal;
import dev.wharf.testing.TestRegistry;
import dev.wharf.testing.TestRuntimes;
import dev.wharf.testing.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * One server ({@code server} mode, in this JVM) and two nodes ({@code node} mode, child JVMs with
 * their own data dirs, cgroup roots and networks) on this host: containers spread over both, logs,
 * exec and the terminal work through the server for each, a node killed with SIGKILL is marked
 * down and its containers unknown, and once it is back they are found running, untouched. A node
 * with a made-up join token is refused and exits.
 */
@Tag("root")
class MultiNodeTests {

    private static final String PASSWORD = "multi-node-admin-password";

    @Test
    void containersSpreadOverTwoNodesAndADeadNodeComesBackWithoutLosingThem() throws Exception {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "the container tests need root");
        Prerequisites.require(BusyboxLayout.available() && TestRegistry.available(),
                "busybox-static, umoci, skopeo and docker-registry are not installed");
        Path work = WorkDirs.create("wharf-multinode-");
        List<NodeProcess> nodes = new ArrayList<>();
        try (TestRegistry registry = TestRegistry.start(Files.createDirectories(work.resolve("registry")));
                ConfigurableApplicationContext server = new SpringApplicationBuilder(WharfApplication.class).run("--server.port=0",
                        "--wharf.mode=server", "--wharf.data-dir=" + work.resolve("server"), "--spring.main.banner-mode=off",
                        "--WHARF_ADMIN_PASSWORD=" + PASSWORD, "--wharf.node.heartbeat-interval=500ms", "--wharf.node.down-after=2s",
                        "--wharf.reconcile-interval=1s", "--logging.level.root=warn", "--logging.level.dev.wharf.platform.node=info")) {
            Path layout = BusyboxLayout.create(Files.createDirectories(work.resolve("image")));
            registry.push("oci:" + layout + ":" + BusyboxLayout.AMD64, "library/busybox:1");
            String image = registry.host() + "/library/busybox:1";
            int port = ((WebServerApplicationContext) server).getWebServer().getPort();
            String serverUrl = "http://127.0.0.1:" + port;
            Http admin = Http.to(port).basic("admin", PASSWORD);

            NetworkSettings first = TestRuntimes.network();
            NetworkSettings second = TestRuntimes.network();
            while (second.pool().equals(first.pool())) {
                second = TestRuntimes.network();
            }
            nodes.add(NodeProcess.start("node-1", work, first, serverUrl, token(admin), registry.host()));
            nodes.add(NodeProcess.start("node-2", work, second, serverUrl, token(admin), registry.host()));
            awaitNodes(admin, n -> n.size() == 2 && allUp(n));

            NodeProcess pretender = NodeProcess.prepare("pretender", work, TestRuntimes.network(), serverUrl, "wharf-join-made-up",
                    registry.host());
            nodes.add(pretender); // removed at the end like the others, whatever it made before it was refused
            assertThat(pretender.startExpectingExit()).as("a node with a made-up join token exits").isNotZero();
            assertThat(pretender.log()).contains("the join token is unknown, used or expired");
            assertThat(admin.get("/api/v1/nodes").json()).hasSize(2);
            Http.Response direct = nodes.get(0).tls().bearer("not-the-credential").get("/node/v1/containers");
            assertThat(direct.status()).as("a node refuses anyone but its server").isEqualTo(401);
            Http.Response stolenCredential = nodes.get(0).tls().bearer(nodes.get(0).credential()).get("/node/v1/containers");
            assertThat(stolenCredential.status()).as("the credential without the server's client certificate").isEqualTo(401);
            int plainStatus;
            try {
                plainStatus = Http.to(nodes.get(0).port).bearer(nodes.get(0).credential()).get("/node/v1/containers").status();
            } catch (IllegalStateException refused) {
                plainStatus = 0; // the TLS listener drops it
            }
            assertThat(plainStatus).as("plain http reaches nothing").isIn(0, 400, 401);
            Http.Response plainJoin = Http.to(port).post("/api/v1/nodes/join", "{\"token\":\"" + token(admin)
                    + "\",\"name\":\"plain\",\"url\":\"http://127.0.0.1:9\"}");
            assertThat(plainJoin.status()).as(plainJoin.toString()).isEqualTo(400);
            assertThat(plainJoin.json().get("detail").asString()).contains("url must be https");

            assertThat(admin.post("/api/v1/teams", "{\"name\":\"spread\"}").status()).isEqualTo(201);
            Map<String, String> nodeOf = new HashMap<>();
            for (int i = 1; i <= 4; i++) {
                Http.Response created = admin.post("/api/v1/teams/spread/containers", "{\"name\":\"c" + i + "\",\"image\":\"" + image
                        + "\",\"network\":\"none\",\"command\":[\"/bin/sh\",\"-c\",\"echo hello-from-c" + i + "; sleep 300\"]}");
                assertThat(created.status()).as(created.toString()).isEqualTo(201);
                assertThat(created.json().get("state").asString()).isEqualTo("running");
                nodeOf.put("c" + i, created.json().get("node").asString());
            }
            assertThat(nodeOf.values()).as("a team's containers spread over the nodes").containsOnly("node-1", "node-2")
                    .filteredOn("node-1"::equals).hasSize(2);

            String onFirst = name(nodeOf, "node-1");
            String onSecond = name(nodeOf, "node-2");
            for (String name : List.of(onFirst, onSecond)) {
                assertThat(awaitLogs(admin, name)).contains("hello-from-" + name);
                Http.Response exec = admin.post("/api/v1/teams/spread/containers/" + name + "/exec", "{\"command\":[\"/bin/sh\",\"-c\",\"echo exec-$((6*7))\"]}");
                assertThat(exec.status()).as(exec.toString()).isEqualTo(200);
                assertThat(exec.json().get("stdout").asString()).isEqualTo("exec-42\n");
                try (Terminal terminal = Terminal.open(port, "spread", name, "admin", PASSWORD)) {
                    terminal.type("echo term-$((7*6)); exit");
                    assertThat(terminal.await("term-42")).contains("term-42");
                    assertThat(terminal.closedWith()).startsWith("1000");
                }
            }
            assertThat(admin.put("/api/v1/teams/spread/quota", "{\"memory\":\"3Gi\"}").status()).isEqualTo(200);
            for (NodeProcess node : nodes.subList(0, 2)) {
                assertThat(teamMemoryLimit(node)).as("the quota reaches the team's cgroup on " + node.name).isEqualTo(3L << 30);
            }
            JsonNode listed = admin.get("/api/v1/nodes").json();
            for (JsonNode node : listed) {
                assertThat(node.get("allocated").get("containers").asLong()).as(node.toString()).isEqualTo(2);
            }

            // node-1 dies: marked down, its containers unknown; node-2's are untouched
            String startedAt = admin.get("/api/v1/teams/spread/containers/" + onFirst).json().get("startedAt").asString();
            nodes.get(0).kill();
            awaitNodes(admin, n -> state(n, "node-1").equals("down") && state(n, "node-2").equals("up"));
            awaitState(admin, onFirst, "unknown");
            assertThat(admin.get("/api/v1/teams/spread/containers/" + onFirst).json().get("reason").asString())
                    .contains("node node-1 is not answering");
            assertThat(admin.get("/api/v1/teams/spread/containers/" + onSecond).json().get("state").asString()).isEqualTo("running");
            Http.Response whileDown = admin.post("/api/v1/teams/spread/containers/" + onFirst + "/exec", "{\"command\":[\"/bin/true\"]}");
            assertThat(whileDown.status()).isEqualTo(503);
            assertThat(whileDown.json().get("detail").asString()).startsWith("node node-1 is down");

            // it comes back (its credential is on disk, no token needed): found running, not restarted
            nodes.get(0).start();
            awaitNodes(admin, MultiNodeTests::allUp);
            awaitState(admin, onFirst, "running");
            JsonNode back = admin.get("/api/v1/teams/spread/containers/" + onFirst).json();
            assertThat(back.get("startedAt").asString()).as("the same process, never restarted").isEqualTo(startedAt);
            assertThat(awaitLogs(admin, onFirst)).contains("hello-from-" + onFirst);

            for (String name : nodeOf.keySet()) {
                assertThat(admin.delete("/api/v1/teams/spread/containers/" + name + "?force=true").status()).isEqualTo(204);
            }
            assertThat(admin.get("/api/v1/nodes").json()).allSatisfy(n -> assertThat(n.get("allocated").get("containers").asLong()).isZero());
            assertThat(admin.delete("/api/v1/nodes/node-2").status()).isEqualTo(204);
        } finally {
            for (NodeProcess node : nodes) {
                node.close();
            }
            WorkDirs.delete(work);
        }
    }

    /** The memory limit of the (only) team cgroup under the node's cgroup root, v1 or v2. */
    private static long teamMemoryLimit(NodeProcess node) throws java.io.IOException {
        Map<String, String> own = dev.wharf.testing.TestCgroups.own();
        boolean v1 = own.containsKey("memory");
        Path root = Path.of("/sys/fs/cgroup", v1 ? "memory" : "").resolve(own.get(v1 ? "memory" : "unified").substring(1))
                .resolve(node.cgroupRoot);
        try (var teams = Files.list(root)) {
            Path team = teams.filter(p -> p.getFileName().toString().startsWith("team-")).findFirst().orElseThrow();
            return Long.parseLong(Files.readString(team.resolve(v1 ? "memory.limit_in_bytes" : "memory.max")).strip());
        }
    }

    private static String token(Http admin) {
        Http.Response token = admin.post("/api/v1/nodes/join-tokens", "{}");
        assertThat(token.status()).as(token.toString()).isEqualTo(201);
        return token.json().get("token").asString();
    }

    private static String name(Map<String, String> nodeOf, String node) {
        return nodeOf.entrySet().stream().filter(e -> e.getValue().equals(node)).findFirst().orElseThrow().getKey();
    }

    private static boolean allUp(JsonNode nodes) {
        for (JsonNode node : nodes) {
            if (!node.get("state").asString().equals("up")) {
                return false;
            }
        }
        return true;
    }

    private static String state(JsonNode nodes, String name) {
        for (JsonNode node : nodes) {
            if (node.get("name").asString().equals(name)) {
                return node.get("state").asString();
            }
        }
        return "absent";
    }

    private static void awaitNodes(Http admin, Predicate<JsonNode> condition) throws InterruptedException {
        JsonNode nodes = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> admin.get("/api/v1/nodes").json(), condition);
        assertThat(condition.test(nodes)).as("nodes: %s", nodes).isTrue();
    }

    private static void awaitState(Http admin, String name, String state) throws InterruptedException {
        JsonNode container = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> admin.get("/api/v1/teams/spread/containers/" + name).json(), c -> c.get("state").asString().equals(state));
        assertThat(container.get("state").asString()).as(container.toString()).isEqualTo(state);
    }

    private static String awaitLogs(Http admin, String name) throws InterruptedException {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> admin.get("/api/v1/teams/spread/containers/" + name + "/logs").body(), logs -> logs.contains("hello-from-"));
    }
}
