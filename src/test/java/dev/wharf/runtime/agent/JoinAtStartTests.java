package dev.wharf.runtime.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import dev.wharf.WharfApplication;
import dev.wharf.runtime.network.NetworkSettings;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRuntimes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import tools.jackson.databind.JsonNode;

/** A node joins its server once, keeps the credential 0600, and does not start when the server says no. */
class JoinAtStartTests {

    @TempDir
    Path dataDir;

    HttpServer server;
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    final AtomicReference<String> answer = new AtomicReference<>();
    volatile int status = 201;

    String startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/nodes/join", exchange -> {
            requests.add(AgentJson.MAPPER.readTree(exchange.getRequestBody().readAllBytes()));
            byte[] body = answer.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", status == 201 ? "application/json" : "application/problem+json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aNodeJoinsOnceAndKeepsItsCredentialPrivate() throws Exception {
        String url = startServer();
        answer.set("{\"name\":\"node-7\",\"credential\":\"s3cret-credential\"}");
        NodeCredential credential = new NodeCredential(dataDir);
        NodeJoin join = new NodeJoin(RemoteRuntime.newHttpClient());

        assertThat(join.joinIfNeeded(url, "join-token-1", "node-7", "http://10.0.0.7:8080", credential)).isEqualTo(NodeJoin.Outcome.JOINED);
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).get("token").asString()).isEqualTo("join-token-1");
        assertThat(requests.get(0).get("name").asString()).isEqualTo("node-7");
        assertThat(requests.get(0).get("url").asString()).isEqualTo("http://10.0.0.7:8080");
        assertThat(credential.read()).contains("s3cret-credential");
        assertThat(Files.getPosixFilePermissions(credential.file())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(credential.file().getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));

        assertThat(join.joinIfNeeded(url, "join-token-1", "node-7", "http://10.0.0.7:8080", credential))
                .isEqualTo(NodeJoin.Outcome.ALREADY_JOINED);
        assertThat(requests).hasSize(1);
    }

    @Test
    void aRefusedJoinFailsWithTheServersExplanation() throws Exception {
        String url = startServer();
        status = 403;
        answer.set("{\"type\":\"/problems/permission-denied\",\"title\":\"Forbidden\",\"status\":403,"
                + "\"detail\":\"the join token has expired or was used already\"}");
        NodeCredential credential = new NodeCredential(dataDir);
        assertThatThrownBy(() -> new NodeJoin(RemoteRuntime.newHttpClient()).joinIfNeeded(url, "old-token", "n", "http://n:8080", credential))
                .isInstanceOf(NodeJoin.JoinFailed.class)
                .hasMessageContaining("403").hasMessageContaining("the join token has expired or was used already")
                .hasMessageNotContaining("old-token");
        assertThat(credential.exists()).isFalse();
    }

    @Test
    void anUnreachableServerOrAMissingCredentialInTheAnswerFails() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        NodeCredential credential = new NodeCredential(dataDir);
        NodeJoin join = new NodeJoin(RemoteRuntime.newHttpClient());
        assertThatThrownBy(() -> join.joinIfNeeded("http://127.0.0.1:" + port, "t", "n", "http://n:8080", credential))
                .isInstanceOf(NodeJoin.JoinFailed.class).hasMessageContaining("not answering");
        String url = startServer();
        answer.set("{\"name\":\"n\"}");
        assertThatThrownBy(() -> join.joinIfNeeded(url, "t", "n", "http://n:8080", credential))
                .isInstanceOf(NodeJoin.JoinFailed.class).hasMessageContaining("without a credential");
        assertThat(credential.exists()).isFalse();
        assertThat(join.joinIfNeeded(null, null, "n", "http://n:8080", credential)).isEqualTo(NodeJoin.Outcome.NOT_CONFIGURED);
    }

    @Test
    void theCredentialComparisonNeedsAnExactMatch() {
        assertThat(NodeCredential.matches("abc", "abc")).isTrue();
        assertThat(NodeCredential.matches("abc", "abcd")).isFalse();
        assertThat(NodeCredential.matches("abc", "")).isFalse();
        assertThat(NodeCredential.matches("abc", null)).isFalse();
    }

    /** The whole node process: a refused join stops the start, with the server's reason. */
    @Test
    @Tag("root")
    void aNodeTheServerRefusesDoesNotStart() throws Exception {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "a node needs root");
        String url = startServer();
        status = 401;
        answer.set("{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"unknown join token\"}");
        String cgroupRoot = "wharf-test-" + UUID.randomUUID().toString().substring(0, 8);
        NetworkSettings network = TestRuntimes.network();
        try {
            Throwable thrown = catchThrowable(() -> new SpringApplicationBuilder(WharfApplication.class).run(
                    "--wharf.mode=node",
                    "--wharf.data-dir=" + dataDir,
                    "--wharf.runtime.cgroup-root=" + cgroupRoot,
                    "--wharf.runtime.network.pool=" + network.pool(),
                    "--wharf.runtime.network.bridge-prefix=" + network.bridgePrefix(),
                    "--wharf.node.server=" + url,
                    "--wharf.node.join-token=tok-" + UUID.randomUUID(),
                    "--wharf.node.name=refused-node",
                    "--server.address=127.0.0.1",
                    "--server.port=0",
                    "--spring.main.banner-mode=off"));
            while (thrown != null && !(thrown instanceof NodeJoin.JoinFailed)) {
                thrown = thrown.getCause();
            }
            assertThat(thrown).as("the start fails because of the join").isNotNull()
                    .hasMessageContaining("401").hasMessageContaining("unknown join token");
            assertThat(requests).hasSize(1);
            assertThat(requests.get(0).get("name").asString()).isEqualTo("refused-node");
            assertThat(requests.get(0).get("url").asString()).matches("http://.+:\\d+");
            assertThat(new NodeCredential(dataDir).exists()).isFalse();
        } finally {
            TestCgroups.removeTree(cgroupRoot);
        }
    }
}
