package dev.wharf.runtime.image;

import dev.wharf.runtime.fs.AtomicFiles;
import dev.wharf.runtime.api.HealthCheck;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.content.ContentStore;
import dev.wharf.runtime.snapshot.Snapshotter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The images of one node: their manifests, configs and layers live in the shared content store;
 * this keeps which images exist ({@code images/<hex>.json}: names, layers, diff ids, config) and
 * unpacks a layer once per (layer digest, id mapping) into the snapshotter, from where every
 * container of every team with that mapping shares it read-only.
 */
public final class ImageStore {

    private static final Logger log = LoggerFactory.getLogger(ImageStore.class);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path dir;
    private final ContentStore content;
    private final Snapshotter snapshots;
    private final LayerUnpacker unpacker;
    private final Limits limits;
    private final Clock clock;
    private final Map<String, ImageInfo> images = new ConcurrentHashMap<>();
    private final Map<String, List<String>> diffIds = new ConcurrentHashMap<>();
    private final Map<String, String> configs = new ConcurrentHashMap<>();

    /**
     * What an image may unpack to, for one id mapping (decompression, sparse-file and inode bombs).
     *
     * @param layerBytes   a layer's uncompressed tar stream, and the data written into its files
     * @param imageBytes   the same, all layers of an image together
     * @param layerEntries a layer's entries (files, directories, links, whiteouts)
     * @param imageEntries the same, all layers of an image together
     */
    public record Limits(long layerBytes, long imageBytes, long layerEntries, long imageEntries) {
    }

    public ImageStore(Path dir, ContentStore content, Snapshotter snapshots, LayerUnpacker unpacker, Limits limits, Clock clock) {
        this.dir = dir;
        this.content = content;
        this.snapshots = snapshots;
        this.unpacker = unpacker;
        this.limits = limits;
        this.clock = clock;
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                for (Path file : files) {
                    load(JSON.readTree(Files.readString(file)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read images in " + dir, e);
        }
    }

    /**
     * Records the image whose manifest (and config and layers) is in the content store, under
     * {@code reference} (added to its names when it exists already).
     */
    public synchronized ImageInfo register(String manifestDigest, String reference) {
        ImageInfo existing = images.get(manifestDigest);
        Set<String> references = new LinkedHashSet<>(existing == null ? List.of() : existing.references());
        if (reference != null) {
            references.add(reference);
        }
        ImageInfo info = build(manifestDigest, List.copyOf(references), existing == null ? clock.instant() : existing.addedAt());
        save(info);
        return info;
    }

    /** Reads the manifest and config from the content store; remembers the image in memory. */
    private ImageInfo build(String manifestDigest, List<String> references, Instant addedAt) {
        JsonNode manifest = readJson(manifestDigest);
        String configDigest = manifest.path("config").path("digest").asString();
        JsonNode config = readJson(configDigest);
        List<String> layers = new ArrayList<>();
        long size = 0;
        for (JsonNode layer : manifest.path("layers")) {
            String layerDigest = layer.get("digest").asString();
            if (!content.has(layerDigest)) {
                throw RuntimeFailure.invalid("image " + manifestDigest + " lacks layer " + layerDigest);
            }
            layers.add(layerDigest);
            size += layer.path("size").asLong();
        }
        List<String> diffs = new ArrayList<>();
        config.path("rootfs").path("diff_ids").forEach(d -> diffs.add(d.asString()));
        if (diffs.size() != layers.size()) {
            throw RuntimeFailure.invalid("image " + manifestDigest + " has " + layers.size() + " layers but its config lists "
                    + diffs.size() + " diff ids");
        }
        JsonNode c = config.path("config");
        ImageInfo.ImageConfig defaults = new ImageInfo.ImageConfig(strings(c.path("Entrypoint")), strings(c.path("Cmd")),
                strings(c.path("Env")), emptyToNull(c.path("WorkingDir").asString("")), emptyToNull(c.path("User").asString("")),
                emptyToNull(c.path("StopSignal").asString("")), List.copyOf(c.path("ExposedPorts").propertyNames()),
                labels(c.path("Labels")), healthCheck(c.path("Healthcheck")));
        ImageInfo info = new ImageInfo(manifestDigest, references, List.copyOf(layers), size, defaults, addedAt);
        images.put(manifestDigest, info);
        diffIds.put(manifestDigest, List.copyOf(diffs));
        configs.put(manifestDigest, configDigest);
        return info;
    }

    private static Map<String, String> labels(JsonNode labels) {
        Map<String, String> map = new java.util.TreeMap<>();
        labels.properties().forEach(e -> map.put(e.getKey(), e.getValue().asString("")));
        return map;
    }

    /**
     * Docker's {@code Healthcheck} ({@code Test}, and {@code Interval}, {@code Timeout},
     * {@code StartPeriod} in nanoseconds, {@code Retries}; zero meaning the default), or null when
     * there is none, it says {@code NONE}, or it cannot run here.
     */
    private static HealthCheck healthCheck(JsonNode check) {
        List<String> test = strings(check.path("Test"));
        if (test.isEmpty() || test.get(0).equals("NONE")) {
            return null;
        }
        try {
            return new HealthCheck(test, nanos(check.path("Interval")), nanos(check.path("Timeout")), nanos(check.path("StartPeriod")),
                    check.path("Retries").asInt(0) > 0 ? check.path("Retries").asInt() : HealthCheck.DEFAULT_RETRIES);
        } catch (RuntimeFailure e) {
            log.warn("ignoring an image's health check that cannot run: {}", e.getMessage());
            return null;
        }
    }

    private static java.time.Duration nanos(JsonNode value) {
        return value.asLong(0) > 0 ? java.time.Duration.ofNanos(value.asLong()) : null;
    }

    public List<ImageInfo> list() {
        return images.values().stream().sorted(java.util.Comparator.comparing(ImageInfo::addedAt)).toList();
    }

    public ImageInfo get(String digest) {
        ImageInfo info = images.get(digest);
        if (info == null) {
            throw RuntimeFailure.notFound("image " + digest + " is not on this node");
        }
        return info;
    }

    /** The image whose names include {@code reference}, if any. */
    public java.util.Optional<ImageInfo> byReference(String reference) {
        return images.values().stream().filter(i -> i.references().contains(reference)).findFirst();
    }

    /**
     * Unpacks the image's layers for one id mapping (each layer once, checked against the
     * config's diff id, within the {@link Limits}) and returns their snapshot keys, top layer
     * first. A layer past a limit is refused (INVALID_ARGUMENT naming the layer and the limits)
     * and leaves no snapshot.
     */
    public List<String> layersFor(String digest, IdMapping ids) {
        ImageInfo image = get(digest);
        List<String> diffs = diffIds.get(digest);
        List<String> keys = new ArrayList<>();
        long bytesLeft = limits.imageBytes();
        long entriesLeft = limits.imageEntries();
        for (int i = 0; i < image.layers().size(); i++) {
            String layer = image.layers().get(i);
            String expectedDiff = diffs.get(i);
            String key = layerKey(layer, ids);
            LayerUnpacker.Limits limit = new LayerUnpacker.Limits(Math.min(limits.layerBytes(), bytesLeft),
                    Math.min(limits.layerEntries(), entriesLeft));
            UnpackResult[] unpacked = {null};
            snapshots.commit(key, target -> {
                try (InputStream blob = Files.newInputStream(content.path(layer))) {
                    UnpackResult result = unpack(blob, target, ids, limit, layer);
                    if (!result.diffId().equals(expectedDiff)) {
                        throw RuntimeFailure.invalid("layer " + layer + " unpacks to " + result.diffId()
                                + " but the image config says " + expectedDiff);
                    }
                    unpacked[0] = result;
                }
            });
            if (unpacked[0] != null) {
                bytesLeft -= Math.max(unpacked[0].uncompressedBytes(), unpacked[0].writtenBytes());
                entriesLeft -= unpacked[0].entries();
            }
            keys.add(0, key);
        }
        return keys;
    }

    /** One layer unpacked, a refusal naming the layer and the limits it broke. */
    private UnpackResult unpack(InputStream blob, Path target, IdMapping ids, LayerUnpacker.Limits limit, String layer)
            throws IOException {
        try {
            return unpacker.unpack(blob, target, ids, limit);
        } catch (RuntimeFailure failure) {
            if (failure.kind() != RuntimeFailure.Kind.INVALID_ARGUMENT) {
                throw failure;
            }
            throw new RuntimeFailure(RuntimeFailure.Kind.INVALID_ARGUMENT, "unpack layer " + layer + ": " + failure.getMessage()
                    + " (limits: " + limits.layerBytes() + " bytes and " + limits.layerEntries() + " entries a layer, "
                    + limits.imageBytes() + " bytes and " + limits.imageEntries() + " entries an image)", failure);
        }
    }

    /**
     * Deletes the image, then the blobs and unpacked layers no remaining image uses. The caller
     * has made sure no container uses it.
     */
    public synchronized void remove(String digest) {
        ImageInfo removed = get(digest);
        String removedConfig = configOf(digest);
        images.remove(digest);
        configs.remove(digest);
        diffIds.remove(digest);
        try {
            Files.deleteIfExists(file(digest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> stillUsed = new HashSet<>();
        for (ImageInfo other : images.values()) {
            stillUsed.add(other.digest());
            stillUsed.addAll(other.layers());
            stillUsed.add(configOf(other.digest()));
        }
        List<String> blobs = new ArrayList<>(removed.layers());
        blobs.add(removedConfig);
        blobs.add(digest);
        for (String blob : blobs) {
            if (!stillUsed.contains(blob) && content.has(blob)) {
                content.delete(blob);
            }
        }
        for (String key : snapshots.list()) {
            String layer = key.startsWith("layer-") ? "sha256:" + key.substring(6, key.indexOf('@')) : null;
            if (layer != null && removed.layers().contains(layer) && !stillUsed.contains(layer)) {
                snapshots.remove(key);
            }
        }
    }

    /** The blobs the image is made of: its manifest, its config and its layers. */
    public Set<String> blobsOf(String digest) {
        Set<String> blobs = new LinkedHashSet<>();
        blobs.add(get(digest).digest());
        blobs.add(configOf(digest));
        blobs.addAll(get(digest).layers());
        return blobs;
    }

    private String configOf(String digest) {
        return configs.get(digest);
    }

    static String layerKey(String layerDigest, IdMapping ids) {
        return "layer-" + layerDigest.substring("sha256:".length()) + "@" + ids.key();
    }

    private JsonNode readJson(String digest) {
        try {
            return JSON.readTree(Files.readString(content.path(digest)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + digest, e);
        }
    }

    private void save(ImageInfo info) {
        ObjectNode node = JSON.createObjectNode();
        node.put("digest", info.digest());
        info.references().forEach(node.putArray("references")::add);
        node.put("addedAt", info.addedAt().toString());
        try {
            AtomicFiles.write(file(info.digest()), JSON.writeValueAsBytes(node));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record image " + info.digest(), e);
        }
    }

    private void load(JsonNode node) {
        List<String> references = new ArrayList<>();
        node.path("references").forEach(r -> references.add(r.asString()));
        build(node.get("digest").asString(), List.copyOf(references), Instant.parse(node.get("addedAt").asString()));
    }

    private Path file(String digest) {
        return dir.resolve(digest.substring("sha256:".length()) + ".json");
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        if (array instanceof ArrayNode) {
            array.forEach(v -> values.add(v.asString()));
        }
        return values;
    }

    private static String emptyToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
