package dev.wharf.runtime.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.wharf.runtime.api.RuntimeFailure;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The declarative calls of {@link RemoteRuntime} against a fake node on loopback (plain http, as a
 * test lab allows): what goes on the wire, and how the answers come back. The real node, over
 * mutual TLS, is {@code RemoteRuntimeTests}.
 */
class NodeApiClientTests {

    private HttpServer server;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String answer = "{}";
    private RemoteRuntime node;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/node/v1/", exchange -> {
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery())
                    + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.getRequestBody().readAllBytes();
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, status == 204 ? -1 : body.length);
            if (status != 204) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        node = new RemoteRuntime(url, "the-credential", RemoteRuntime.newHttpClient(null), true);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void callsCarryTheCredentialAndEncodeTheirPaths() {
        status = 204;
        node.kill("abc", null);
        node.remove("a/b", true);
        node.removeImage(7, "sha256:" + "0".repeat(4));
        assertThat(seen).containsExactly(
                "POST /node/v1/containers/abc/kill?signal=KILL Bearer the-credential",
                "DELETE /node/v1/containers/a%2Fb?force=true Bearer the-credential",
                "DELETE /node/v1/teams/7/images/sha256%3A0000 Bearer the-credential");
    }

    @Test
    void theNodesFailureComesBackWithItsKind() {
        status = 404;
        answer = "{\"kind\":\"NOT_FOUND\",\"message\":\"no container abc\"}";
        assertThatThrownBy(() -> node.inspect("abc")).isInstanceOf(RuntimeFailure.class).hasMessage("no container abc")
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.NOT_FOUND));
        status = 500;
        answer = "oops";
        assertThatThrownBy(() -> node.stop("abc", Duration.ofSeconds(3))).isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining("answered 500 to POST /node/v1/containers/abc/stop")
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INTERNAL));
        assertThat(seen).last().asString().startsWith("POST /node/v1/containers/abc/stop?timeout=PT3S ");
    }

    @Test
    void anAnswerThatDoesNotReadIsAFailureNotAStackOfSpringExceptions() {
        answer = "[not json";
        assertThatThrownBy(() -> node.status()).isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining("GET /status with a body that does not read")
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INTERNAL));
    }

    @Test
    void writableBytesAndListsRead() {
        answer = "{\"bytes\":4096}";
        assertThat(node.writableBytes("abc")).isEqualTo(4096);
        answer = "[]";
        assertThat(node.list()).isEmpty();
        assertThat(node.volumes(3)).isEmpty();
    }
}
