package dev.wharf.runtime.remote;

import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerStats;
import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.ImageReference;
import dev.wharf.runtime.api.LogLine;
import dev.wharf.runtime.api.LogQuery;
import dev.wharf.runtime.api.NodeStatus;
import dev.wharf.runtime.api.NodeTrust;
import dev.wharf.runtime.api.PullProgress;
import dev.wharf.runtime.api.RegistryCredentials;
import dev.wharf.runtime.api.RuntimeConnector;
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.api.TerminalSession;
import dev.wharf.runtime.api.VolumeInfo;
import dev.wharf.runtime.wire.NodeJson;
import dev.wharf.runtime.wire.PullRequest;
import dev.wharf.runtime.wire.VolumeRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The runtime service of a node in its own process, over HTTP (the node's side is
 * {@code runtime.node}). Fulfils the same contract as the in-process runtime: the node's
 * {@link RuntimeFailure}s come back with their kind and message, and a node that does not answer
 * is {@code UNAVAILABLE} ({@link NodeFailures}). The plain calls go through the declarative
 * {@link NodeApi}; the streams (logs, events, pulls, the import upload, the bounded exec answer,
 * the terminal) are written here on the same JDK {@link HttpClient}, so all of them present the
 * control plane's client certificate and check the node's host name. Every call carries the
 * node's credential, which is never logged.
 */
public final class RemoteRuntime implements RuntimeService {

    private static final Logger log = LoggerFactory.getLogger(RemoteRuntime.class);

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration QUICK = Duration.ofSeconds(30);
    private static final Duration SLOW = Duration.ofMinutes(5);

    /**
     * The most bytes read of an exec's answer: two streams of {@link ExecResult#MAX_OUTPUT_BYTES}, each byte
     * at worst six in JSON ({@code \u0000}), and room for the rest. A node that sends more is not believed.
     */
    static final int MAX_EXEC_ANSWER_BYTES = 16 << 20;

    private final URI base;
    private final String credential;
    private final HttpClient http;
    private final boolean plainHttpAllowed;
    private final NodeFailures failures;
    private final NodeApiClient calls;
    /** The calls answered at once (30 s) ... */
    private final NodeApi quick;
    /** ... and those that may take a while on the node (5 min: removals, creates, starts). */
    private final NodeApi slow;

    RemoteRuntime(URI url, String credential, HttpClient http, boolean plainHttpAllowed) {
        String text = url.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.credential = credential;
        this.http = http;
        this.plainHttpAllowed = plainHttpAllowed;
        this.failures = new NodeFailures(base);
        this.calls = new NodeApiClient(base, credential, http, failures, this::requireTls);
        this.quick = calls.within(QUICK);
        this.slow = calls.within(SLOW);
    }

    /**
     * A client of the node at {@code https} {@code url} with its own HTTP client (HTTP/1.1, 2 s to
     * connect) over {@code trust}'s TLS context; an {@code http} URL only when {@code trust} allows it.
     */
    public static RemoteRuntime connect(URI url, String credential, NodeTrust trust) {
        return new RemoteRuntime(url, credential, newHttpClient(trust.tls()), trust.allowPlainHttp());
    }

    /** How the control plane reaches its nodes: one HTTP client over {@code trust}'s TLS context for all of them. */
    public static RuntimeConnector connector(NodeTrust trust) {
        HttpClient http = newHttpClient(trust.tls());
        return (url, credential) -> new RemoteRuntime(url, credential, http, trust.allowPlainHttp());
    }

    /**
     * The JDK client every call to a node goes through: HTTP/1.1, 2 s to connect, no redirects,
     * over {@code tls} (the control plane's client certificate, Wharf's CA as the only trust, and
     * the JDK's host-name check); {@code null}: the JDK's default TLS.
     */
    static HttpClient newHttpClient(SSLContext tls) {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) {
            builder.sslContext(tls);
        }
        return builder.build();
    }

    /** Refuses before anything is sent when the node's URL is plain {@code http} and that is not allowed. */
    void requireTls() {
        if (!plainHttpAllowed && !"https".equalsIgnoreCase(base.getScheme())) {
            throw unavailable("node " + base + " is not reached over https: the control plane talks to nodes over TLS only"
                    + " (wharf.node.allow-plain-http=true allows plain http, for a test lab only)", null);
        }
    }

    URI url() {
        return base;
    }

    @Override
    public String toString() {
        return "RemoteRuntime[" + base + "]";
    }

    @Override
    public NodeStatus status() {
        return quick.status();
    }

    @Override
    public void applyTeamLimits(TeamLimits limits) {
        quick.applyTeamLimits(limits.teamId(), limits);
    }

    @Override
    public void removeTeam(long teamId) {
        slow.removeTeam(teamId);
    }

    @Override
    public ContainerInfo create(ContainerSpec spec) {
        return slow.create(spec);
    }

    @Override
    public ContainerInfo start(String id) {
        return slow.start(id);
    }

    @Override
    public ContainerInfo stop(String id, Duration timeout) {
        Duration wait = timeout == null ? Duration.ofSeconds(10) : timeout;
        return calls.within(wait.plus(SLOW)).stop(id, wait.toString());
    }

    @Override
    public void kill(String id, String signal) {
        quick.kill(id, signal == null ? "KILL" : signal);
    }

    @Override
    public void remove(String id, boolean force) {
        slow.remove(id, force);
    }

    @Override
    public ContainerInfo inspect(String id) {
        return quick.inspect(id);
    }

    @Override
    public List<ContainerInfo> list() {
        return quick.list();
    }

    @Override
    public ContainerStats stats(String id) {
        return quick.stats(id);
    }

    @Override
    public long writableBytes(String id) {
        return slow.writableBytes(id).path("bytes").asLong();
    }

    @Override
    public List<ImageInfo> images(long teamId) {
        return quick.images(teamId);
    }

    @Override
    public ImageInfo image(long teamId, String digest) {
        return quick.image(teamId, digest);
    }

    @Override
    public void removeImage(long teamId, String digest) {
        slow.removeImage(teamId, digest);
    }

    @Override
    public VolumeInfo createVolume(long teamId, String name, long sizeBytes) {
        return quick.createVolume(teamId, new VolumeRequest(name, sizeBytes));
    }

    @Override
    public List<VolumeInfo> volumes(long teamId) {
        return slow.volumes(teamId);
    }

    @Override
    public void removeVolume(long teamId, String name) {
        slow.removeVolume(teamId, name);
    }

    // --- by hand: streams, and the exec answer read only up to its bound

    @Override
    public Stream<LogLine> logs(String id, LogQuery query) {
        LogQuery q = query == null ? LogQuery.ALL : query;
        StringBuilder path = new StringBuilder(container(id)).append("/logs?follow=").append(q.follow());
        if (q.since() != null) {
            path.append("&since=").append(encode(q.since().toString()));
        }
        if (q.tail() != null) {
            path.append("&tail=").append(q.tail());
        }
        InputStream body = openStream("GET", path.toString(), HttpRequest.BodyPublishers.noBody(), null);
        Iterator<JsonNode> lines = lines(body, "logs of " + id);
        Iterator<LogLine> logLines = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return lines.hasNext();
            }

            @Override
            public LogLine next() {
                JsonNode line = lines.next();
                NdjsonLines.throwIfError(line);
                return NodeJson.MAPPER.treeToValue(line, LogLine.class);
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(logLines, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(() -> closeQuietly(body));
    }

    @Override
    public ExecResult exec(String id, ExecSpec spec) {
        String path = container(id) + "/exec";
        HttpRequest request = request(path, spec.timeout().plus(QUICK)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(NodeJson.write(spec))).build();
        HttpResponse<InputStream> response = exchange(request, HttpResponse.BodyHandlers.ofInputStream(), "POST " + path);
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_EXEC_ANSWER_BYTES + 1);
        } catch (IOException e) {
            throw unavailable("node " + base + " is not answering: " + NodeFailures.describe(e), e);
        }
        if (response.statusCode() >= 300) {
            throw failures.answer(response.statusCode(), body, "POST " + path);
        }
        if (body.length > MAX_EXEC_ANSWER_BYTES) {
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "exec in " + id + ": node " + base + " answered with more than "
                    + MAX_EXEC_ANSWER_BYTES + " bytes");
        }
        return NodeJson.MAPPER.readValue(body, ExecResult.class);
    }

    @Override
    public TerminalSession openTerminal(String id, List<String> args, int cols, int rows) {
        requireTls();
        return RemoteTerminal.open(http, this, container(id), args, cols, rows, credential);
    }

    @Override
    public ImageInfo pullImage(long teamId, String reference, Function<String, RegistryCredentials> credentials,
            Consumer<PullProgress> progress) {
        ImageReference ref = ImageReference.parse(reference);
        RegistryCredentials login = credentials == null ? null : credentials.apply(ref.registry());
        byte[] body = NodeJson.write(new PullRequest(reference, login));
        InputStream stream = openStream("POST", "/teams/" + teamId + "/images/pull", HttpRequest.BodyPublishers.ofByteArray(body), "application/json");
        try {
            Iterator<JsonNode> lines = lines(stream, "pull " + reference);
            while (lines.hasNext()) {
                JsonNode line = lines.next();
                NdjsonLines.throwIfError(line);
                if (line.has("image")) {
                    return NodeJson.MAPPER.treeToValue(line.get("image"), ImageInfo.class);
                }
                if (line.has("progress") && progress != null) {
                    progress.accept(NodeJson.MAPPER.treeToValue(line.get("progress"), PullProgress.class));
                }
            }
            throw unavailable("pull " + reference + ": node " + base + " ended the pull without an answer", null);
        } finally {
            closeQuietly(stream);
        }
    }

    /** The archive is streamed as the request body, never held whole in memory. */
    @Override
    public ImageInfo importImage(long teamId, InputStream archive) {
        String path = "/teams/" + teamId + "/images/import";
        HttpRequest request = request(path, null)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> archive))
                .build();
        HttpResponse<byte[]> response = exchange(request, HttpResponse.BodyHandlers.ofByteArray(), "import an image");
        if (response.statusCode() >= 300) {
            throw failures.answer(response.statusCode(), response.body(), "POST " + response.request().uri().getPath());
        }
        return NodeJson.MAPPER.readValue(response.body(), ImageInfo.class);
    }

    /**
     * Opens the node's event stream before returning (so nothing that happens afterwards is missed)
     * and delivers events on a thread of its own. When the stream breaks (the node restarted), it
     * connects again every few seconds until closed; events in between are lost, as with a restart
     * of an in-process runtime.
     */
    @Override
    public AutoCloseable subscribe(Consumer<RuntimeEvent> listener) {
        return NodeEvents.start(base, () -> openStream("GET", "/events", HttpRequest.BodyPublishers.noBody(), null),
                body -> lines(body, "events"), listener);
    }

    // --- plumbing of the hand-written calls

    private static String container(String id) {
        return "/containers/" + encode(id);
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        requireTls();
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + "/node/v1" + path))
                .header("Authorization", "Bearer " + credential)
                .header("Accept", "application/json, application/x-ndjson");
        if (timeout != null) {
            builder.timeout(timeout);
        }
        return builder;
    }

    /** Opens a streamed answer (no timeout once connected); failures before the stream starts are thrown. */
    private InputStream openStream(String method, String path, HttpRequest.BodyPublisher body, String contentType) {
        HttpRequest.Builder builder = request(path, null).method(method, body);
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        HttpResponse<InputStream> response = exchange(builder.build(), HttpResponse.BodyHandlers.ofInputStream(), method + " " + path);
        if (response.statusCode() >= 300) {
            try (InputStream in = response.body()) {
                throw failures.answer(response.statusCode(), in.readAllBytes(), method + " " + path);
            } catch (IOException e) {
                throw unavailable("node " + base + " is not answering: " + e.getMessage(), e);
            }
        }
        return response.body();
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler, String what) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw failures.unreachable(e, what, request.timeout().orElse(null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while waiting for node " + base, e);
        }
    }

    /** The lines of an NDJSON answer; a broken connection is UNAVAILABLE. */
    private Iterator<JsonNode> lines(InputStream body, String what) {
        return new NdjsonLines(body, e -> unavailable(what + ": the connection to node " + base + " broke: " + NodeFailures.describe(e), e));
    }

    RuntimeFailure unavailable(String message, Throwable cause) {
        return failures.unavailable(message, cause);
    }

    static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException | UncheckedIOException e) {
                // already gone
            }
        }
    }

    static String encode(String segment) {
        StringBuilder out = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
                    || c == '~' || c == ':') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    static Map<String, Object> resize(int cols, int rows) {
        return Map.of("type", "resize", "cols", cols, "rows", rows);
    }
}
