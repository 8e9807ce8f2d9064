package dev.wharf.runtime.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.runtime.api.RuntimeFailure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one mapping from what a node answers (or does not) to the contract's failures. */
class NodeFailuresTests {

    private final NodeFailures failures = new NodeFailures(URI.create("https://node-1:8443"));

    private static byte[] body(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theNodesOwnFailureComesBackAsItWas() {
        RuntimeFailure failure = failures.answer(404, body("{\"kind\":\"NOT_FOUND\",\"message\":\"no container abc\"}"), "GET /containers/abc");
        assertThat(failure.kind()).isEqualTo(RuntimeFailure.Kind.NOT_FOUND);
        assertThat(failure).hasMessage("no container abc");
        assertThat(failures.answer(409, body("{\"kind\":\"FAILED_PRECONDITION\",\"message\":\"running\"}"), "x").kind())
                .as("the kind wins over the status").isEqualTo(RuntimeFailure.Kind.FAILED_PRECONDITION);
    }

    @Test
    void anAnswerWithoutTheNodesFormatGoesByItsStatus() {
        RuntimeFailure refused = failures.answer(401, body("{\"kind\":\"UNAUTHENTICATED\",\"message\":\"wrong\"}"), "GET /status");
        assertThat(refused.kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE);
        assertThat(refused).hasMessageContaining("refused this control plane's credential (401)");
        assertThat(failures.answer(403, body(""), "GET /status").kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE);
        assertThat(failures.answer(503, body("<html>"), "GET /status")).hasMessageContaining("is not ready (503)")
                .satisfies(f -> assertThat(f.kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE));
        assertThat(failures.answer(400, body("bad"), "POST /containers").kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT);
        assertThat(failures.answer(502, body("gateway"), "GET /status")).hasMessage("node https://node-1:8443 answered 502 to GET /status")
                .satisfies(f -> assertThat(f.kind()).isEqualTo(RuntimeFailure.Kind.INTERNAL));
        assertThat(failures.answer(302, new byte[0], "GET /status").kind()).as("a redirect is not followed")
                .isEqualTo(RuntimeFailure.Kind.INTERNAL);
    }

    @Test
    void aNodeThatDoesNotAnswerIsUnavailable() {
        RuntimeFailure refused = failures.unreachable(new ConnectException("Connection refused"), "GET /status", Duration.ofSeconds(30));
        assertThat(refused.kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE);
        assertThat(refused).hasMessage("node https://node-1:8443 is not answering: Connection refused");
        assertThat(failures.unreachable(new HttpConnectTimeoutException("HTTP connect timed out"), "GET /status", Duration.ofSeconds(30)))
                .hasMessageContaining("is not answering");
        assertThat(failures.unreachable(new IOException("wrapped", new HttpTimeoutException("request timed out")), "GET /status",
                Duration.ofSeconds(30))).hasMessage("node https://node-1:8443 did not answer GET /status in time (PT30S)");
        assertThat(failures.unreachable(new IOException(new java.nio.channels.ClosedChannelException()), "x", null).kind())
                .isEqualTo(RuntimeFailure.Kind.UNAVAILABLE);
    }
}
