package dev.wharf.runtime.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import dev.wharf.WharfApplication;
import dev.wharf.runtime.network.NetworkSettings;
import dev.wharf.runtime.remote.RemoteRuntime;
import dev.wharf.runtime.wire.NodeJson;
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
    /** when set, the fake server signs the node's request with this CA and answers the certificate as the real one does */
    volatile dev.wharf.platform.pki.CertificateAuthority signer;

    String startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/nodes/join", exchange -> {
            JsonNode request = NodeJson.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
            requests.add(request);
            String text = answer.get();
            if (signer != null) {
                String certificate = dev.wharf.platform.pki.CertificateAuthority.pem(signer.signServer(request.get("csr").asString(),
                        request.get("name").asString(), java.net.URI.create(request.get("url").asString()).getHost(), java.time.Instant.now(),
                        java.time.Duration.ofDays(1)));
                text = text.replace("}", ",\"certificate\":" + NodeJson.MAPPER.writeValueAsString(certificate) + ",\"ca\":"
                        + NodeJson.MAPPER.writeValueAsString(signer.certificatePem()) + "}");
            }
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
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
        signer = dev.wharf.platform.pki.CertificateAuthority.create("test CA", java.time.Instant.now(), java.time.Duration.ofDays(1));
        NodeCredential credential = new NodeCredential(dataDir);
        NodeIdentity identity = new NodeIdentity(dataDir);
        JoinAtStart join = new JoinAtStart();

        assertThat(join.joinIfNeeded(url, "join-token-1", "node-7", "https://10.0.0.7:8080", credential, identity))
                .isEqualTo(JoinAtStart.Outcome.JOINED);
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).get("token").asString()).isEqualTo("join-token-1");
        assertThat(requests.get(0).get("name").asString()).isEqualTo("node-7");
        assertThat(requests.get(0).get("url").asString()).isEqualTo("https://10.0.0.7:8080");
        assertThat(requests.get(0).get("csr").asString()).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
        assertThat(requests.get(0).toString()).doesNotContain("PRIVATE KEY");
        assertThat(credential.read()).contains("s3cret-credential");
        assertThat(Files.getPosixFilePermissions(credential.file())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(credential.file().getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(identity.exists()).isTrue();
        assertThat(Files.getPosixFilePermissions(identity.key())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(identity.key().getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        java.security.cert.X509Certificate served = dev.wharf.platform.pki.CertificateAuthority.readCertificate(Files.readString(identity.certificate()));
        assertThat(served.getSubjectAlternativeNames()).containsExactly(List.of(7, "10.0.0.7"));
        assertThat(Files.readString(identity.authority())).isEqualTo(signer.certificatePem());

        assertThat(join.joinIfNeeded(url, "join-token-1", "node-7", "https://10.0.0.7:8080", credential, identity))
                .isEqualTo(JoinAtStart.Outcome.ALREADY_JOINED);
        assertThat(requests).hasSize(1);
    }

    @Test
    void aRefusedJoinFailsWithTheServersExplanation() throws Exception {
        String url = startServer();
        status = 403;
        answer.set("{\"type\":\"/problems/permission-denied\",\"title\":\"Forbidden\",\"status\":403,"
                + "\"detail\":\"the join token has expired or was used already\"}");
        NodeCredential credential = new NodeCredential(dataDir);
        assertThatThrownBy(() -> new JoinAtStart().joinIfNeeded(url, "old-token", "n", "https://n:8080", credential,
                new NodeIdentity(dataDir)))
                .isInstanceOf(JoinAtStart.JoinFailed.class)
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
        NodeIdentity identity = new NodeIdentity(dataDir);
        JoinAtStart join = new JoinAtStart();
        assertThatThrownBy(() -> join.joinIfNeeded("http://127.0.0.1:" + port, "t", "n", "https://n:8080", credential, identity))
                .isInstanceOf(JoinAtStart.JoinFailed.class).hasMessageContaining("not answering");
        String url = startServer();
        answer.set("{\"name\":\"n\"}");
        assertThatThrownBy(() -> join.joinIfNeeded(url, "t", "n", "https://n:8080", credential, identity))
                .isInstanceOf(JoinAtStart.JoinFailed.class).hasMessageContaining("without a credential");
        answer.set("{\"name\":\"n\",\"credential\":\"c\"}");
        assertThatThrownBy(() -> join.joinIfNeeded(url, "t", "n", "https://n:8080", credential, identity))
                .isInstanceOf(JoinAtStart.JoinFailed.class).hasMessageContaining("no usable certificate");
        assertThat(credential.exists()).isFalse();
        assertThat(identity.exists()).isFalse();
        assertThat(join.joinIfNeeded(null, null, "n", "https://n:8080", credential, identity)).isEqualTo(JoinAtStart.Outcome.NOT_CONFIGURED);
    }

    /** The control plane dials a plain http node URL only in a test lab that allows it; otherwise nothing is sent. */
    @Test
    void plainHttpNodesAreDialledOnlyWhenATestLabAllowsIt() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        List<String> seen = new CopyOnWriteArrayList<>();
        server.createContext("/node/v1/status", exchange -> {
            seen.add(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = "{\"ready\":true,\"problems\":[],\"cpus\":2,\"memoryBytes\":1024,\"cgroupVersion\":\"v2\"}".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        java.net.URI plain = java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getDefault();
        assertThatThrownBy(() -> RemoteRuntime.connect(plain, "lab-credential", new dev.wharf.runtime.api.NodeTrust(tls, false)).status())
                .isInstanceOf(dev.wharf.runtime.api.RuntimeFailure.class).hasMessageContaining("https")
                .hasMessageContaining("wharf.node.allow-plain-http").hasMessageNotContaining("lab-credential");
        assertThat(seen).as("nothing was sent").isEmpty();
        assertThat(RemoteRuntime.connect(plain, "lab-credential", new dev.wharf.runtime.api.NodeTrust(tls, true)).status().ready()).isTrue();
        assertThat(seen).containsExactly("Bearer lab-credential");
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
            while (thrown != null && !(thrown instanceof JoinAtStart.JoinFailed)) {
                thrown = thrown.getCause();
            }
            assertThat(thrown).as("the start fails because of the join").isNotNull()
                    .hasMessageContaining("401").hasMessageContaining("unknown join token");
            assertThat(requests).hasSize(1);
            assertThat(requests.get(0).get("name").asString()).isEqualTo("refused-node");
            assertThat(requests.get(0).get("url").asString()).matches("https://.+:\\d+");
            assertThat(new NodeCredential(dataDir).exists()).isFalse();
        } finally {
            TestCgroups.removeTree(cgroupRoot);
        }
    }
}
