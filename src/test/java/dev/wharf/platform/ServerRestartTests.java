package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.WharfApplication;
import dev.wharf.runtime.local.LocalRuntime;
import dev.wharf.runtime.network.NetworkSettings;
import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.WorkDirs;
import dev.wharf.testing.Http;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRuntimes;
import dev.wharf.testing.TestRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A server killed with SIGKILL and started again loses nothing and kills nothing: its running
 * container is still running (same process), the container's log has every line, and its health
 * check's last status is kept and probed on.
 */
@Tag("root")
class ServerRestartTests {

    private static final String PASSWORD = "restart-admin-password";

    @Test
    void aServerKilledWithSigkillFindsItsContainersRunningAndTheirLogsComplete() throws Exception {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "the container tests need root");
        Prerequisites.require(BusyboxLayout.available() && TestRegistry.available(),
                "busybox-static, umoci, skopeo and docker-registry are not installed");
        Path work = WorkDirs.create("wharf-restart-");
        String cgroupRoot = "wharf-test-" + UUID.randomUUID().toString().substring(0, 8);
        NetworkSettings network = TestRuntimes.network();
        Path layout = BusyboxLayout.create(Files.createDirectories(work.resolve("image")));
        Process server = null;
        try (TestRegistry registry = TestRegistry.start(Files.createDirectories(work.resolve("registry")))) {
            registry.push("oci:" + layout + ":" + BusyboxLayout.AMD64, "library/busybox:1");
            int port = freePort();
            List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                    System.getProperty("java.class.path"), WharfApplication.class.getName(), "--server.port=" + port,
                    "--wharf.data-dir=" + work.resolve("data"), "--wharf.runtime.cgroup-root=" + cgroupRoot,
                    "--wharf.registries.insecure=" + registry.host(), "--WHARF_ADMIN_PASSWORD=" + PASSWORD, "--logging.level.root=warn",
                    "--wharf.runtime.network.pool=" + network.pool(), "--wharf.runtime.network.bridge-prefix=" + network.bridgePrefix());
            server = start(command, work.resolve("server-1.log"), port);
            Http admin = Http.to(port).basic("admin", PASSWORD);
            assertThat(admin.post("/api/v1/teams", "{\"name\":\"ops\"}").status()).isEqualTo(201);
            var created = admin.post("/api/v1/teams/ops/containers", "{\"name\":\"ticker\",\"image\":\"" + registry.host()
                    + "/library/busybox:1\",\"command\":[\"/bin/sh\",\"-c\",\"touch /tmp/ok; i=0; while [ $i -lt 100000 ]; do echo line-$i; i=$((i+1)); sleep 0.05; done\"],"
                    + "\"healthcheck\":{\"test\":[\"CMD\",\"/bin/test\",\"-f\",\"/tmp/ok\"],\"interval\":\"1s\",\"retries\":1}}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String startedAt = created.json().get("startedAt").asString();
            Awaitility.await("healthy").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
                    admin.get("/api/v1/teams/ops/containers/ticker").json().path("health").path("status").asString("").equals("healthy"));

            server.destroyForcibly().waitFor();
            Thread.sleep(1500); // the container keeps writing while no server runs

            server = start(command, work.resolve("server-2.log"), port);
            JsonNode after = admin.get("/api/v1/teams/ops/containers/ticker").json();
            assertThat(after.get("state").asString()).isEqualTo("running");
            assertThat(after.get("startedAt").asString()).isEqualTo(startedAt);
            assertThat(after.get("health").get("status").asString()).as("the health survives the restart").isEqualTo("healthy");
            String[] lines = admin.get("/api/v1/teams/ops/containers/ticker/logs").body().split("\n");
            assertThat(lines.length).isGreaterThan(40);
            for (int i = 0; i < lines.length; i++) {
                assertThat(lines[i]).as("log line %d, written across the server's death", i).isEqualTo("line-" + i);
            }
            // the restarted node goes on probing, and the restarted server hears what it finds
            assertThat(admin.post("/api/v1/teams/ops/containers/ticker/exec", "{\"command\":[\"/bin/rm\",\"/tmp/ok\"]}").status())
                    .isEqualTo(200);
            Awaitility.await("unhealthy").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
                    admin.get("/api/v1/teams/ops/containers/ticker").json().path("health").path("status").asString("").equals("unhealthy"));
            assertThat(admin.delete("/api/v1/teams/ops/containers/ticker?force=true").status()).isEqualTo(204);
        } finally {
            if (server != null) {
                server.destroy();
                server.waitFor();
            }
            cleanUp(work, cgroupRoot, network);
        }
    }

    private static Process start(List<String> command, Path log, int port) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        for (int i = 0; i < 240; i++) { // up to 2 minutes: a JVM starting on a busy 2-core host
            try {
                if (Http.to(port).get("/actuator/health").status() == 200) {
                    return process;
                }
            } catch (IllegalStateException notYet) {
                // not listening yet
            }
            if (!process.isAlive()) {
                throw new AssertionError("the server exited: " + Files.readString(log));
            }
            Thread.sleep(500);
        }
        process.destroyForcibly();
        throw new AssertionError("the server did not start: " + Files.readString(log));
    }

    /** Whatever the test left on the node goes, through a runtime opened on the same data dir. */
    private static void cleanUp(Path work, String cgroupRoot, NetworkSettings network) throws IOException {
        LocalRuntime runtime = LocalRuntime.open(TestRuntimes.settings(work.resolve("data"), cgroupRoot, 1_000_000, Set.of(), network),
                Clock.systemUTC());
        TestRuntimes.removeAll(runtime);
        runtime.close();
        TestCgroups.removeTree(cgroupRoot);
        WorkDirs.delete(work);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
