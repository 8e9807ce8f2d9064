package dev.wharf.runtime.node;

import dev.wharf.runtime.wire.NodeJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * A node's first contact with its control plane: {@code POST {server}/api/v1/nodes/join} with
 * {@code {"token","name","url","csr"}} (a certificate request for a key made here, which never
 * leaves the node); the server answers 201 {@code {"name","credential","certificate","ca"}} and the
 * node keeps its certificate and Wharf's CA ({@link NodeIdentity}), then the credential
 * ({@link NodeCredential}). A node that has a credential already does not join again. Neither the
 * token nor the credential is ever logged.
 */
final class JoinAtStart {

    private static final Logger log = LoggerFactory.getLogger(JoinAtStart.class);

    /** Joining failed; the message says why, with the server's own explanation. The node must not start. */
    static final class JoinFailed extends RuntimeException {
        JoinFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    enum Outcome { JOINED, ALREADY_JOINED, NOT_CONFIGURED }

    private final HttpClient http;

    /** Over an HTTP client of its own: plain HTTP or public TLS (HTTP/1.1, 2 s to connect, no redirects). */
    JoinAtStart() {
        this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER).build());
    }

    JoinAtStart(HttpClient http) {
        this.http = http;
    }

    /**
     * Joins {@code server} unless {@code credential} exists already.
     *
     * @throws JoinFailed when the server cannot be reached or does not answer 201 with a credential
     */
    Outcome joinIfNeeded(String server, String token, String name, String url, NodeCredential credential, NodeIdentity identity) {
        if (credential.exists()) {
            log.info("node credential found in {}; this node has joined already", credential.file());
            return Outcome.ALREADY_JOINED;
        }
        if (isBlank(server) || isBlank(token)) {
            log.warn("this node has not joined a control plane: set wharf.node.server and wharf.node.join-token"
                    + " (WHARF_NODE_SERVER, WHARF_NODE_JOIN_TOKEN); until then it answers 503");
            return Outcome.NOT_CONFIGURED;
        }
        String base = server.strip().replaceAll("/+$", "");
        URI endpoint;
        try {
            endpoint = URI.create(base + "/api/v1/nodes/join");
        } catch (IllegalArgumentException e) {
            throw new JoinFailed("cannot join: wharf.node.server is not a URL: " + server, e);
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("token", token.strip());
        body.put("name", name);
        body.put("url", url);
        NodeIdentity.Request keyRequest = NodeIdentity.request(name);
        body.put("csr", keyRequest.pem());
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Accept", "application/json, application/problem+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(NodeJson.write(body))).build();
        log.info("joining {} as node {} (reachable at {})", base, name, url);
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new JoinFailed("cannot join " + base + ": the server is not answering (" + describe(e) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JoinFailed("interrupted while joining " + base, e);
        }
        JsonNode answer = null;
        try {
            answer = NodeJson.MAPPER.readTree(response.body());
        } catch (RuntimeException e) {
            // not JSON: reported below
        }
        if (response.statusCode() != 201) {
            String detail = answer != null && answer.hasNonNull("detail") ? answer.get("detail").asString()
                    : answer != null && answer.hasNonNull("title") ? answer.get("title").asString()
                    : "no explanation given";
            log.error("the server {} refused to let this node join ({}): {}", base, response.statusCode(), detail);
            throw new JoinFailed("cannot join " + base + ": the server answered " + response.statusCode() + ": " + detail, null);
        }
        String credentialValue = answer == null ? null : answer.path("credential").asString(null);
        if (isBlank(credentialValue)) {
            throw new JoinFailed("cannot join " + base + ": the server answered 201 without a credential", null);
        }
        boolean tls = url.regionMatches(true, 0, "https:", 0, 6);
        String certificate = answer.path("certificate").asString(null);
        if (tls || !isBlank(certificate)) {
            try {
                identity.store(keyRequest, certificate, answer.path("ca").asString(null));
            } catch (IllegalArgumentException e) {
                throw new JoinFailed("cannot join " + base + ": the server's answer has no usable certificate for this node ("
                        + e.getMessage() + ")", e);
            }
        }
        credential.write(credentialValue);
        String joinedAs = answer.path("name").asString(name);
        log.info("joined {} as node {}; credential stored in {}", base, joinedAs, credential.file());
        return Outcome.JOINED;
    }

    /** The first message along the causes ({@code ConnectException} often has none of its own). */
    private static String describe(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                return cause.getClass().getSimpleName() + ": " + cause.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
