package dev.wharf.runtime.registry;

import dev.wharf.runtime.api.ImageReference;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeFailure.Kind;
import dev.wharf.runtime.content.ContentStore;
import dev.wharf.runtime.content.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pulls images from registries that speak the OCI distribution API (Docker Hub, distribution,
 * Harbor, ...) into a {@link ContentStore}.
 *
 * <p>A pull resolves the reference to a manifest (choosing the platform's entry of an image
 * index), checks that it is a container image whose layers Wharf can unpack, downloads the missing
 * layers in parallel, and stores config, manifest and index last. Every manifest and blob is
 * checked against its digest and size. A failed pull leaves no unverified blob and no manifest in
 * the store; layers that did verify stay, and the next pull reuses them.
 *
 * <p>Registries are reached over HTTPS, except the {@code host:port} entries of
 * {@code insecureRegistries}, which are reached over plain HTTP. Every request, redirect and token
 * request goes only where the {@link RegistryAddressPolicy} allows: public addresses, and the
 * private ones an admin listed. Thread-safe: one client serves
 * any number of concurrent pulls and shares its cache of registry tokens among them (per
 * registry, repository and credentials).
 */
public final class RegistryClient {

    private static final int MAX_MANIFEST = 4 * 1024 * 1024;
    private static final int MAX_CONFIG = 8 * 1024 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RegistryHttp http;
    private final int parallelism;

    /** A client with its own HTTP client, 3 parallel layer downloads and 3 retries; no private registry is allowed. */
    public RegistryClient(Set<String> insecureRegistries) {
        this(new RegistryAddressPolicy(insecureRegistries, Set.of()));
    }

    /** A client with its own HTTP client, 3 parallel layer downloads and 3 retries, reaching what {@code policy} allows. */
    public RegistryClient(RegistryAddressPolicy policy) {
        this(policy, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(), 3, 3);
    }

    /** As {@link #RegistryClient(RegistryAddressPolicy, HttpClient, int, int)}; no private registry is allowed. */
    public RegistryClient(Set<String> insecureRegistries, HttpClient http, int parallelism, int retries) {
        this(new RegistryAddressPolicy(insecureRegistries, Set.of()), http, parallelism, retries);
    }

    /**
     * @param http a client that does not follow redirects (the default): the pull follows them
     *        itself so that credentials never go to another host
     * @param parallelism layer downloads at once, per pull
     * @param retries further tries after a connection error, a 5xx or a 429, with 200 ms, 400 ms, ... in between
     */
    public RegistryClient(RegistryAddressPolicy policy, HttpClient http, int parallelism, int retries) {
        if (http.followRedirects() != HttpClient.Redirect.NEVER) {
            throw new IllegalArgumentException("the HTTP client must not follow redirects");
        }
        if (parallelism < 1 || retries < 0) {
            throw new IllegalArgumentException("parallelism must be at least 1 and retries at least 0");
        }
        this.http = new RegistryHttp(http, policy, retries);
        this.parallelism = parallelism;
    }

    /**
     * Pulls {@code ref} for {@code platform} into {@code store}.
     *
     * @param credentials for the registry, or null to pull anonymously
     * @throws RuntimeFailure "pull REF: ...": NOT_FOUND for an unknown repository, tag or platform,
     *         INVALID_ARGUMENT for content that is no container image or does not match its digest,
     *         FAILED_PRECONDITION when authentication fails, UNAVAILABLE when the registry cannot be reached
     */
    public PulledImage pull(ImageReference ref, Platform platform, RegistryLogin credentials, ContentStore store,
            LayerProgress progress) {
        return pull(ref, platform, credentials, store, digest -> false, digest -> false, progress);
    }

    /**
     * Pulls {@code ref} as {@link #pull(ImageReference, Platform, RegistryLogin, ContentStore, LayerProgress)}
     * does, for a caller that may already use some stored blobs. A layer is not downloaded again when
     * {@code held} accepts it (the caller supplied or proved it before). A stored layer the caller does
     * not hold is asked for with {@code credentials} and not downloaded again when {@code servedBefore}
     * says this repository served those bytes before and the registry answers 2xx (else the pull fails
     * as the download would); any other layer is downloaded and verified, stored or not. Manifests and
     * the config are always fetched and verified. On success every blob of the image was supplied
     * with verified bytes or proven readable with {@code credentials}.
     */
    public PulledImage pull(ImageReference ref, Platform platform, RegistryLogin credentials, ContentStore store,
            java.util.function.Predicate<String> held, java.util.function.Predicate<String> servedBefore, LayerProgress progress) {
        try {
            return fetch(ref, platform, credentials, store, held, servedBefore, progress);
        } catch (RuntimeFailure e) {
            throw within("pull " + ref, e);
        } catch (JacksonException e) {
            // Jackson's message quotes the content: the registry's words are not repeated
            throw new RuntimeFailure(Kind.INVALID_ARGUMENT, "pull " + ref + ": the registry sent malformed JSON", e);
        }
    }

    private PulledImage fetch(ImageReference ref, Platform platform, RegistryLogin credentials, ContentStore store,
            java.util.function.Predicate<String> held, java.util.function.Predicate<String> servedBefore, LayerProgress progress) {
        Document index = null;
        Document manifest = fetchManifest(ref, credentials, ref.manifestReference(), null);
        if (Manifests.isIndex(manifest.mediaType())) {
            index = manifest;
            Manifests.Descriptor chosen = Manifests.select(index.json(), platform);
            manifest = fetchManifest(ref, credentials, chosen.digest(), chosen);
            if (Manifests.isIndex(manifest.mediaType())) {
                throw RuntimeFailure.invalid("the index entry for " + platform + " is another index, which Wharf does not follow");
            }
        }
        Manifests.Descriptor configDescriptor = Manifests.config(manifest.json());
        List<PulledImage.Layer> layers = Manifests.layers(manifest.json());
        byte[] config = fetchConfig(ref, credentials, configDescriptor);
        ImageConfig imageConfig = ImageConfig.parse(config);
        fetchLayers(ref, credentials, layers, store, held, servedBefore, progress);
        store.writeBytes(config);
        store.writeBytes(manifest.body());
        if (index != null) {
            store.writeBytes(index.body());
        }
        return new PulledImage(ref, index == null ? null : index.digest(), manifest.digest(), configDescriptor.digest(), layers,
                imageConfig);
    }

    /** A verified manifest or index, held in memory until the pull stores it. */
    private record Document(String digest, String mediaType, byte[] body, JsonNode json) {
    }

    /** Fetches the manifest {@code reference} (a tag or digest); {@code expected} is its descriptor when an index named it. */
    private Document fetchManifest(ImageReference ref, RegistryLogin credentials, String reference, Manifests.Descriptor expected) {
        HttpResponse<InputStream> response = http.get(ref, credentials, "/manifests/" + reference, Manifests.ACCEPT);
        String claimed = reference.startsWith("sha256:") ? reference
                : response.headers().firstValue("Docker-Content-Digest").filter(d -> d.startsWith("sha256:")).orElse(null);
        byte[] body = read(response, expected != null ? expected.size() : MAX_MANIFEST, "manifest " + reference);
        String digest = Digests.sha256(body);
        if (claimed != null && !claimed.equals(digest) || expected != null && body.length != expected.size()) {
            throw RuntimeFailure.invalid("manifest " + reference + " does not match: expected " + claimed
                    + (expected != null ? " (" + expected.size() + " bytes)" : "") + ", got " + digest + " (" + body.length + " bytes)");
        }
        JsonNode json = JSON.readTree(body);
        String mediaType = json.path("mediaType").asString(
                response.headers().firstValue("Content-Type").map(type -> type.split(";")[0].strip()).orElse(""));
        return new Document(digest, mediaType, body, json);
    }

    /** Fetches the config blob into memory and checks it against its descriptor. */
    private byte[] fetchConfig(ImageReference ref, RegistryLogin credentials, Manifests.Descriptor expected) {
        if (expected.size() > MAX_CONFIG) {
            throw RuntimeFailure.invalid("config " + expected.digest() + " is larger than " + MAX_CONFIG + " bytes");
        }
        HttpResponse<InputStream> response;
        try {
            response = http.get(ref, credentials, "/blobs/" + expected.digest(), null);
        } catch (RuntimeFailure e) {
            throw within("config " + expected.digest(), e);
        }
        byte[] body = read(response, expected.size(), "config " + expected.digest());
        String digest = Digests.sha256(body);
        if (!digest.equals(expected.digest()) || body.length != expected.size()) {
            throw RuntimeFailure.invalid("config does not match: expected " + expected.digest() + " (" + expected.size() + " bytes), got "
                    + digest + " (" + body.length + " bytes)");
        }
        return body;
    }

    private static byte[] read(HttpResponse<InputStream> response, long limit, String what) {
        try (InputStream body = response.body()) {
            return RegistryHttp.readAtMost(body, limit, what);
        } catch (IOException e) {
            throw new RuntimeFailure(Kind.UNAVAILABLE, what + ": download broke off: " + RegistryHttp.describe(e), e);
        }
    }

    /**
     * Downloads the layers the caller does not hold, {@code parallelism} at a time (the first
     * failure cancels the rest); a stored layer this repository served before is checked with the
     * registry instead of downloaded.
     */
    private void fetchLayers(ImageReference ref, RegistryLogin credentials, List<PulledImage.Layer> layers, ContentStore store,
            java.util.function.Predicate<String> held, java.util.function.Predicate<String> servedBefore, LayerProgress progress) {
        Map<String, PulledImage.Layer> missing = new LinkedHashMap<>();
        for (PulledImage.Layer layer : layers) {
            if (held.test(layer.digest())) {
                progress.layer(layer.digest(), layer.size(), layer.size());
            } else if (store.has(layer.digest()) && servedBefore.test(layer.digest())) {
                checkReadable(ref, credentials, layer.digest());
                progress.layer(layer.digest(), layer.size(), layer.size());
            } else {
                missing.putIfAbsent(layer.digest(), layer);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, missing.size()), task -> {
            Thread thread = new Thread(task, "pull-layer " + ref);
            thread.setDaemon(true);
            return thread;
        });
        try {
            CompletionService<Void> downloads = new ExecutorCompletionService<>(pool);
            for (PulledImage.Layer layer : missing.values()) {
                downloads.submit(() -> {
                    fetchLayer(ref, credentials, layer, store, progress);
                    return null;
                });
            }
            for (int i = 0; i < missing.size(); i++) {
                downloads.take().get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeFailure failure ? failure
                    : new RuntimeFailure(Kind.INTERNAL, "layer download failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailure(Kind.INTERNAL, "interrupted", e);
        } finally {
            pool.shutdownNow();
            awaitStopped(pool);
        }
    }

    /**
     * Proves that {@code credentials} can read the blob in {@code ref}'s repository, which served
     * these bytes before: a request for it through the same code (and the same rules for hosts,
     * redirects and authentication) as a download, answered 2xx; its body is not read. Any other
     * answer fails as the download would.
     */
    private void checkReadable(ImageReference ref, RegistryLogin credentials, String digest) {
        try {
            closeQuietly(http.get(ref, credentials, "/blobs/" + digest, null).body());
        } catch (RuntimeFailure e) {
            throw within("layer " + digest, e);
        }
    }

    /** Streams one layer into the store, starting again (up to the retry count) when the download breaks off. */
    private void fetchLayer(ImageReference ref, RegistryLogin credentials, PulledImage.Layer layer, ContentStore store,
            LayerProgress progress) {
        for (int attempt = 0; ; attempt++) {
            ProgressStream in;
            try {
                in = new ProgressStream(http.get(ref, credentials, "/blobs/" + layer.digest(), null).body(), layer.digest(),
                        layer.size(), progress);
            } catch (RuntimeFailure e) {
                throw within("layer " + layer.digest(), e);
            }
            try {
                store.write(layer.digest(), layer.size(), in);
                progress.layer(layer.digest(), layer.size(), layer.size());
                return;
            } catch (RuntimeFailure e) {
                if (in.readFailure() == null) {
                    throw within("layer " + layer.digest(), e);
                }
                if (attempt >= http.retries() || Thread.currentThread().isInterrupted()) {
                    throw new RuntimeFailure(Kind.UNAVAILABLE, "layer " + layer.digest() + ": download broke off: "
                            + RegistryHttp.describe(in.readFailure()), e);
                }
            } finally {
                closeQuietly(in);
            }
            http.pause(attempt);
        }
    }

    private static RuntimeFailure within(String context, RuntimeFailure e) {
        return new RuntimeFailure(e.kind(), context + ": " + e.getMessage(), e);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the connection is dropped instead of reused
        }
    }

    /** Waits for cancelled downloads to remove their ingest files; they stop at their next read. */
    private static void awaitStopped(ExecutorService pool) {
        try {
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
