package dev.wharf.runtime.agent;

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
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.api.RuntimeConnector;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.api.TerminalSession;
import dev.wharf.runtime.api.VolumeInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;

/**
 * The runtime service of a node in its own process, over HTTP ({@link NodeController} is the
 * other side). Fulfils the same contract as the in-process runtime: the node's
 * {@link RuntimeFailure}s come back with their kind and message, and a node that does not answer
 * is {@code UNAVAILABLE}. Every call carries the node's credential, which is never logged.
 */
public final class RemoteRuntime implements RuntimeService {

    private static final Logger log = LoggerFactory.getLogger(RemoteRuntime.class);

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration QUICK = Duration.ofSeconds(30);
    private static final Duration SLOW = Duration.ofMinutes(5);

    private final URI base;
    private final String credential;
    private final HttpClient http;
    private final boolean plainHttpAllowed;

    RemoteRuntime(URI url, String credential, HttpClient http, boolean plainHttpAllowed) {
        String text = url.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.credential = credential;
        this.http = http;
        this.plainHttpAllowed = plainHttpAllowed;
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

    /** A client for plain HTTP and public TLS (the join call, whose answer brings the node its certificate). */
    static HttpClient newHttpClient() {
        return newHttpClient(null);
    }

    static HttpClient newHttpClient(javax.net.ssl.SSLContext tls) {
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
        return get("/status", QUICK, NodeStatus.class);
    }

    @Override
    public void applyTeamLimits(TeamLimits limits) {
        send("PUT", "/teams/" + limits.teamId() + "/limits", limits, QUICK);
    }

    @Override
    public void removeTeam(long teamId) {
        send("DELETE", "/teams/" + teamId, null, SLOW);
    }

    @Override
    public ContainerInfo create(ContainerSpec spec) {
        return read(send("POST", "/containers", spec, SLOW), ContainerInfo.class);
    }

    @Override
    public ContainerInfo start(String id) {
        return read(send("POST", container(id) + "/start", null, SLOW), ContainerInfo.class);
    }

    @Override
    public ContainerInfo stop(String id, Duration timeout) {
        Duration wait = timeout == null ? Duration.ofSeconds(10) : timeout;
        return read(send("POST", container(id) + "/stop?timeout=" + wait, null, wait.plus(SLOW)), ContainerInfo.class);
    }

    @Override
    public void kill(String id, String signal) {
        send("POST", container(id) + "/kill?signal=" + encode(signal == null ? "KILL" : signal), null, QUICK);
    }

    @Override
    public void remove(String id, boolean force) {
        send("DELETE", container(id) + "?force=" + force, null, SLOW);
    }

    @Override
    public ContainerInfo inspect(String id) {
        return get(container(id), QUICK, ContainerInfo.class);
    }

    @Override
    public List<ContainerInfo> list() {
        return read(send("GET", "/containers", null, QUICK), listOf(ContainerInfo.class));
    }

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
        String what = "logs of " + id;
        Iterator<JsonNode> lines = lines(body, what);
        Iterator<LogLine> logLines = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return lines.hasNext();
            }

            @Override
            public LogLine next() {
                JsonNode line = lines.next();
                throwIfError(line);
                return AgentJson.MAPPER.treeToValue(line, LogLine.class);
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(logLines, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(() -> closeQuietly(body));
    }

    @Override
    public ContainerStats stats(String id) {
        return get(container(id) + "/stats", QUICK, ContainerStats.class);
    }

    @Override
    public long writableBytes(String id) {
        return read(send("GET", container(id) + "/writable-bytes", null, SLOW), JsonNode.class).path("bytes").asLong();
    }

    /**
     * The most bytes read of an exec's answer: two streams of {@link ExecResult#MAX_OUTPUT_BYTES}, each byte
     * at worst six in JSON ({@code \u0000}), and room for the rest. A node that sends more is not believed.
     */
    static final int MAX_EXEC_ANSWER_BYTES = 16 << 20;

    @Override
    public ExecResult exec(String id, ExecSpec spec) {
        String path = container(id) + "/exec";
        HttpRequest request = request(path, spec.timeout().plus(QUICK)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(AgentJson.write(spec))).build();
        HttpResponse<InputStream> response = exchange(request, HttpResponse.BodyHandlers.ofInputStream(), "POST " + path);
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_EXEC_ANSWER_BYTES + 1);
        } catch (IOException e) {
            throw unavailable("node " + base + " is not answering: " + describe(e), e);
        }
        if (response.statusCode() >= 300) {
            throw failure(response.statusCode(), body, "POST " + path);
        }
        if (body.length > MAX_EXEC_ANSWER_BYTES) {
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "exec in " + id + ": node " + base + " answered with more than "
                    + MAX_EXEC_ANSWER_BYTES + " bytes");
        }
        return read(body, ExecResult.class);
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
        byte[] body = AgentJson.write(new NodeController.PullRequest(reference, login));
        InputStream stream = openStream("POST", "/teams/" + teamId + "/images/pull", HttpRequest.BodyPublishers.ofByteArray(body), "application/json");
        try {
            Iterator<JsonNode> lines = lines(stream, "pull " + reference);
            while (lines.hasNext()) {
                JsonNode line = lines.next();
                throwIfError(line);
                if (line.has("image")) {
                    return AgentJson.MAPPER.treeToValue(line.get("image"), ImageInfo.class);
                }
                if (line.has("progress") && progress != null) {
                    progress.accept(AgentJson.MAPPER.treeToValue(line.get("progress"), PullProgress.class));
                }
            }
            throw unavailable("pull " + reference + ": node " + base + " ended the pull without an answer", null);
        } finally {
            closeQuietly(stream);
        }
    }

    @Override
    public ImageInfo importImage(long teamId, InputStream archive) {
        HttpRequest request = request("/teams/" + teamId + "/images/import", null)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> archive))
                .build();
        return read(check(exchange(request, HttpResponse.BodyHandlers.ofByteArray(), "import an image")), ImageInfo.class);
    }

    @Override
    public List<ImageInfo> images(long teamId) {
        return read(send("GET", "/teams/" + teamId + "/images", null, QUICK), listOf(ImageInfo.class));
    }

    @Override
    public ImageInfo image(long teamId, String digest) {
        return get("/teams/" + teamId + "/images/" + encode(digest), QUICK, ImageInfo.class);
    }

    @Override
    public void removeImage(long teamId, String digest) {
        send("DELETE", "/teams/" + teamId + "/images/" + encode(digest), null, SLOW);
    }

    @Override
    public VolumeInfo createVolume(long teamId, String name, long sizeBytes) {
        return read(send("POST", "/teams/" + teamId + "/volumes", new NodeController.VolumeRequest(name, sizeBytes), QUICK),
                VolumeInfo.class);
    }

    @Override
    public List<VolumeInfo> volumes(long teamId) {
        return read(send("GET", "/teams/" + teamId + "/volumes", null, SLOW), listOf(VolumeInfo.class));
    }

    @Override
    public void removeVolume(long teamId, String name) {
        send("DELETE", "/teams/" + teamId + "/volumes/" + encode(name), null, SLOW);
    }

    /**
     * Opens the node's event stream before returning (so nothing that happens afterwards is missed)
     * and delivers events on a thread of its own. When the stream breaks (the node restarted), it
     * connects again every few seconds until closed; events in between are lost, as with a restart
     * of an in-process runtime.
     */
    @Override
    public AutoCloseable subscribe(Consumer<RuntimeEvent> listener) {
        EventSubscription subscription = new EventSubscription(listener);
        subscription.connect();
        Thread thread = new Thread(subscription::run, "node-events-" + base.getAuthority());
        thread.setDaemon(true);
        subscription.thread = thread;
        thread.start();
        return subscription;
    }

    private final class EventSubscription implements AutoCloseable {

        private final Consumer<RuntimeEvent> listener;
        private volatile boolean closed;
        private volatile InputStream current;
        private volatile Thread thread;

        EventSubscription(Consumer<RuntimeEvent> listener) {
            this.listener = listener;
        }

        void connect() {
            current = openStream("GET", "/events", HttpRequest.BodyPublishers.noBody(), null);
        }

        void run() {
            boolean warned = false;
            while (!closed) {
                try {
                    if (current == null) {
                        connect();
                        log.info("events of node {} are flowing again", base);
                        warned = false;
                    }
                    Iterator<JsonNode> lines = lines(current, "events");
                    while (!closed && lines.hasNext()) {
                        JsonNode line = lines.next();
                        throwIfError(line);
                        RuntimeEvent event = AgentJson.MAPPER.treeToValue(line, RuntimeEvent.class);
                        try {
                            listener.accept(event);
                        } catch (RuntimeException e) {
                            log.warn("an event listener failed on {}", event, e);
                        }
                    }
                } catch (RuntimeException e) {
                    if (!closed && !warned) {
                        log.warn("events of node {} stopped: {}; trying again", base, e.getMessage());
                        warned = true;
                    }
                }
                closeQuietly(current);
                current = null;
                if (!closed) {
                    try {
                        Thread.sleep(2000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            closeQuietly(current);
            Thread t = thread;
            if (t != null) {
                t.interrupt();
            }
        }
    }

    // --- plumbing

    private static String container(String id) {
        return "/containers/" + encode(id);
    }

    private <T> T get(String path, Duration timeout, Class<T> type) {
        return read(send("GET", path, null, timeout), type);
    }

    private static JavaType listOf(Class<?> element) {
        return AgentJson.MAPPER.getTypeFactory().constructCollectionType(List.class, element);
    }

    private static <T> T read(byte[] body, Class<T> type) {
        return AgentJson.MAPPER.readValue(body, type);
    }

    private static <T> T read(byte[] body, JavaType type) {
        return AgentJson.MAPPER.readValue(body, type);
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

    /** A call with an optional JSON body; returns the answer's body, or throws the node's failure. */
    private byte[] send(String method, String path, Object body, Duration timeout) {
        HttpRequest.Builder builder = request(path, timeout);
        if (body != null) {
            builder.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(AgentJson.write(body)));
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return check(exchange(builder.build(), HttpResponse.BodyHandlers.ofByteArray(), method + " " + path));
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
                throw failure(response.statusCode(), in.readAllBytes(), method + " " + path);
            } catch (IOException e) {
                throw unavailable("node " + base + " is not answering: " + e.getMessage(), e);
            }
        }
        return response.body();
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler, String what) {
        try {
            return http.send(request, handler);
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw unavailable("node " + base + " is not answering: " + describe(e), e);
        } catch (HttpTimeoutException e) {
            throw unavailable("node " + base + " did not answer " + what + " in time (" + request.timeout().map(Duration::toString)
                    .orElse("no limit") + ")", e);
        } catch (IOException e) {
            throw unavailable("node " + base + " is not answering: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while waiting for node " + base, e);
        }
    }

    private byte[] check(HttpResponse<byte[]> response) {
        if (response.statusCode() >= 300) {
            throw failure(response.statusCode(), response.body(), response.request().method() + " " + response.request().uri().getPath());
        }
        return response.body();
    }

    /** The node's {@code {"kind","message"}} as the failure it was; anything else by its status. */
    private RuntimeFailure failure(int status, byte[] body, String what) {
        try {
            JsonNode node = AgentJson.MAPPER.readTree(body);
            RuntimeFailure failure = failure(node);
            if (failure != null) {
                return failure;
            }
        } catch (RuntimeException e) {
            // not the node's error format
        }
        return switch (status) {
            case 401, 403 -> unavailable("node " + base + " refused this control plane's credential (" + status + ")", null);
            case 503 -> unavailable("node " + base + " is not ready (503)", null);
            case 400 -> RuntimeFailure.invalid("node " + base + " refused " + what + " (400)");
            default -> new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "node " + base + " answered " + status + " to " + what);
        };
    }

    private static RuntimeFailure failure(JsonNode node) {
        if (node == null || !node.isObject() || !node.has("kind") || !node.has("message")) {
            return null;
        }
        try {
            return new RuntimeFailure(RuntimeFailure.Kind.valueOf(node.get("kind").asString()), node.get("message").asString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void throwIfError(JsonNode line) {
        if (line.has("error")) {
            RuntimeFailure failure = failure(line.get("error"));
            throw failure != null ? failure
                    : new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "node sent an error: " + line.get("error"));
        }
    }

    /** The non-blank lines of an NDJSON answer, each read as JSON; a broken connection is UNAVAILABLE. */
    private Iterator<JsonNode> lines(InputStream body, String what) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        return new Iterator<>() {
            String next;
            boolean done;

            @Override
            public boolean hasNext() {
                while (next == null && !done) {
                    try {
                        String line = reader.readLine();
                        if (line == null) {
                            done = true;
                        } else if (!line.isBlank()) {
                            next = line;
                        }
                    } catch (IOException e) {
                        done = true;
                        throw unavailable(what + ": the connection to node " + base + " broke: " + describe(e), e);
                    }
                }
                return next != null;
            }

            @Override
            public JsonNode next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                String line = next;
                next = null;
                return AgentJson.MAPPER.readTree(line);
            }
        };
    }

    RuntimeFailure unavailable(String message, Throwable cause) {
        return new RuntimeFailure(RuntimeFailure.Kind.UNAVAILABLE, message, cause);
    }

    private static String describe(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                return cause.getMessage();
            }
        }
        return e.getClass().getSimpleName();
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
