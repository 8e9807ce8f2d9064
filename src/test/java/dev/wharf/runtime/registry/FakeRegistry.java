package dev.wharf.runtime.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.wharf.runtime.content.Digests;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry in the test's JVM for what Debian's docker-registry cannot do without TLS: token
 * (Bearer) or Basic authentication, content that does not match its digest, 5xx answers. Blobs
 * are answered with a redirect to a second server on another port ("storage"), as registries
 * redirect to object storage. Over plain HTTP by default; with {@code tls}, both servers speak
 * HTTPS with {@link LoopbackTls}'s certificate. A client must allow both hosts ({@link #hosts()}):
 * both are on loopback.
 */
final class FakeRegistry implements AutoCloseable {

    enum Auth { NONE, BEARER, BASIC }

    static final RegistryLogin ALICE = new RegistryLogin("alice", "s3cret");

    private record Manifest(String mediaType, byte[] body) {
    }

    private final Auth auth;
    private final HttpServer server;
    private final HttpServer storage;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, Manifest> manifests = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, byte[]> tampered = new ConcurrentHashMap<>();
    private final Set<String> breakOnce = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile int failureStatus;
    private volatile boolean storageSawAuthorization;
    private final String scheme;
    private volatile String manifestRedirect;
    private volatile String realm;
    private volatile String failureBody;

    FakeRegistry(Auth auth) throws IOException {
        this(auth, false);
    }

    FakeRegistry(Auth auth, boolean tls) throws IOException {
        this.auth = auth;
        this.scheme = tls ? "https" : "http";
        server = create(tls);
        server.createContext("/", exchange -> respond(exchange, this::registry));
        server.setExecutor(threads);
        storage = create(tls);
        storage.createContext("/", exchange -> respond(exchange, this::storage));
        storage.setExecutor(threads);
        server.start();
        storage.start();
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    String storageHost() {
        return "127.0.0.1:" + storage.getAddress().getPort();
    }

    /** The registry's and the storage's {@code host:port}, what a client must allow. */
    Set<String> hosts() {
        return Set.of(host(), storageHost());
    }

    /** From now on, manifest requests are answered with a 302 to {@code location}. */
    void redirectManifests(String location) {
        manifestRedirect = location;
    }

    /** From now on, the Bearer challenge names {@code realm} as its token service. */
    void realm(String realm) {
        this.realm = realm;
    }

    /** The next {@code count} registry requests are answered with {@code status} and {@code body}. */
    void fail(int count, int status, String body) {
        failureBody = body;
        failureStatus = status;
        failures.set(count);
    }

    /** Adds a blob and returns its digest. */
    String blob(byte[] content) {
        String digest = Digests.sha256(content);
        blobs.put(digest, content);
        return digest;
    }

    /** Adds a manifest under its digest and, if {@code tag} is not null, under the tag; returns the digest. */
    String manifest(String repository, String tag, String mediaType, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String digest = Digests.sha256(body);
        manifests.put(repository + "@" + digest, new Manifest(mediaType, body));
        if (tag != null) {
            manifests.put(repository + "@" + tag, new Manifest(mediaType, body));
        }
        return digest;
    }

    /** From now on, serves other bytes (same length) for {@code digest}, a blob or a manifest. */
    void tamper(String digest) {
        byte[] original = blobs.containsKey(digest) ? blobs.get(digest)
                : manifests.values().stream().filter(m -> Digests.sha256(m.body()).equals(digest)).findFirst().orElseThrow().body();
        byte[] changed = original.clone();
        changed[changed.length / 2] ^= 1;
        tampered.put(digest, changed);
    }

    /** The next download of blob {@code digest} from storage stops halfway (the connection closes). */
    void breakNextDownload(String digest) {
        breakOnce.add(digest);
    }

    /** The next {@code count} registry requests are answered with {@code status}. */
    void fail(int count, int status) {
        fail(count, status, error("UNAVAILABLE", "service unavailable"));
    }

    /** Requests so far of one kind: "token", "manifest", "blob" (registry), or a blob digest (storage). */
    int requests(String kind) {
        return requests.getOrDefault(kind, new AtomicInteger()).get();
    }

    boolean storageSawAuthorization() {
        return storageSawAuthorization;
    }

    @Override
    public void close() {
        server.stop(0);
        storage.stop(0);
        threads.shutdownNow();
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private static void respond(HttpExchange exchange, Handler handler) {
        try {
            handler.handle(exchange);
        } catch (IOException | RuntimeException e) {
            // the client sees a closed connection, as it would from a crashing registry
        } finally {
            exchange.close();
        }
    }

    private void registry(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/token")) {
            count("token");
            String token = "token-" + UUID.randomUUID();
            if (!ALICE.basicAuthorization().equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, "application/json", error("UNAUTHORIZED", "authentication required"));
                return;
            }
            tokens.add(token);
            send(exchange, 200, "application/json", "{\"token\":\"" + token + "\",\"expires_in\":300}");
            return;
        }
        if (failures.getAndUpdate(n -> Math.max(n - 1, 0)) > 0) {
            send(exchange, failureStatus, "application/json", failureBody);
            return;
        }
        String[] parts = path.substring("/v2/".length()).split("/(?=manifests/|blobs/)");
        String repository = parts[0];
        if (!authorized(exchange, repository)) {
            return;
        }
        if (parts[1].startsWith("manifests/")) {
            count("manifest");
            if (manifestRedirect != null) {
                exchange.getResponseHeaders().set("Location", manifestRedirect);
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            String reference = parts[1].substring("manifests/".length());
            Manifest manifest = manifests.get(repository + "@" + reference);
            if (manifest == null) {
                send(exchange, 404, "application/json", error("MANIFEST_UNKNOWN", "manifest unknown"));
                return;
            }
            String digest = Digests.sha256(manifest.body());
            exchange.getResponseHeaders().set("Docker-Content-Digest", digest);
            send(exchange, 200, manifest.mediaType(), tampered.getOrDefault(digest, manifest.body()));
        } else {
            count("blob");
            String digest = parts[1].substring("blobs/".length());
            if (!blobs.containsKey(digest)) {
                send(exchange, 404, "application/json", error("BLOB_UNKNOWN", "blob unknown to registry"));
                return;
            }
            exchange.getResponseHeaders().set("Location",
                    scheme + "://" + storageHost() + "/storage/" + digest + "?signature=abc");
            exchange.sendResponseHeaders(307, -1);
        }
    }

    private void storage(HttpExchange exchange) throws IOException {
        String digest = exchange.getRequestURI().getPath().substring("/storage/".length());
        count(digest);
        if (exchange.getRequestHeaders().containsKey("Authorization")) {
            storageSawAuthorization = true;
        }
        byte[] blob = tampered.getOrDefault(digest, blobs.get(digest));
        if (breakOnce.remove(digest)) {
            exchange.sendResponseHeaders(200, blob.length);
            exchange.getResponseBody().write(blob, 0, blob.length / 2);
            exchange.getResponseBody().flush();
            return;
        }
        send(exchange, 200, "application/octet-stream", blob);
    }

    /** Checks the request's Authorization; answers 401 with a challenge and returns false if it does not pass. */
    private boolean authorized(HttpExchange exchange, String repository) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        switch (auth) {
            case NONE -> {
                return true;
            }
            case BASIC -> {
                if (ALICE.basicAuthorization().equals(authorization)) {
                    return true;
                }
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"fake registry\"");
            }
            case BEARER -> {
                if (authorization != null && authorization.startsWith("Bearer ")
                        && tokens.contains(authorization.substring("Bearer ".length()))) {
                    return true;
                }
                String tokenService = realm != null ? realm : scheme + "://" + host() + "/token";
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"" + tokenService + "\",service=\"fake\","
                        + "scope=\"repository:" + repository + ":pull\"");
            }
        }
        send(exchange, 401, "application/json", error("UNAUTHORIZED", "authentication required"));
        return false;
    }

    private static HttpServer create(boolean tls) throws IOException {
        InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
        if (!tls) {
            return HttpServer.create(loopback, 0);
        }
        HttpsServer server = HttpsServer.create(loopback, 0);
        server.setHttpsConfigurator(new HttpsConfigurator(LoopbackTls.server()));
        return server;
    }

    private void count(String kind) {
        requests.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    }

    static String error(String code, String message) {
        return "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}";
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        send(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }
}
