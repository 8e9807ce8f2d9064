package dev.wharf.testing;

import dev.wharf.runtime.content.Digests;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds an image in an OCI layout, layer by layer, with umoci run as root (files keep the owners
 * and modes they have): change the files under {@link #rootfs()}, then {@link #commit()} them as
 * a gzip layer. umoci 0.4 compresses with gzip only and records a replaced directory as one
 * whiteout per removed file, never as an opaque directory, so {@link #appendZstdLayer} adds a
 * hand-made layer (zstd, any entries, whiteouts included); no umoci commit can follow it.
 */
public final class OciImageBuilder {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ZSTD_LAYER = "application/vnd.oci.image.layer.v1.tar+zstd";

    private final Path layout;
    private final Path bundle;
    private final String tag;

    private OciImageBuilder(Path layout, Path bundle, String tag) {
        this.layout = layout;
        this.bundle = bundle;
        this.tag = tag;
    }

    /** An image with no layers, tagged {@code tag} in {@code dir/layout}, unpacked in {@code dir/bundle}. */
    public static OciImageBuilder start(Path dir, String tag) throws IOException, InterruptedException {
        OciImageBuilder builder = new OciImageBuilder(dir.resolve("layout"), dir.resolve("bundle"), tag);
        Commands.run(List.of("umoci", "init", "--layout", builder.layout.toString()));
        Commands.run(List.of("umoci", "new", "--image", builder.image()));
        Commands.run(List.of("umoci", "unpack", "--image", builder.image(), builder.bundle.toString()));
        return builder;
    }

    /** The image's files as the next layer will see them. */
    public Path rootfs() {
        return bundle.resolve("rootfs");
    }

    public Path layout() {
        return layout;
    }

    /** Adds what changed under {@link #rootfs()} since the last commit as a new gzip layer. */
    public void commit() throws IOException, InterruptedException {
        Commands.run(List.of("umoci", "repack", "--refresh-bundle", "--image", image(), bundle.toString()));
    }

    /** Runs {@code umoci config} on the image with {@code options} ({@code --config.cmd}, {@code --tag} ...). */
    public void config(String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("umoci", "config", "--image", image()));
        command.addAll(List.of(options));
        Commands.run(command);
    }

    /**
     * Puts {@code tar} on top of the image as a zstd-compressed layer: the blob, its diff id and a
     * history entry in a new config, a new manifest, and the tag moved to it.
     */
    public void appendZstdLayer(byte[] tar) throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (OutputStream zstd = new ZstdCompressorOutputStream(compressed)) {
            zstd.write(tar);
        }
        byte[] layer = compressed.toByteArray();
        String layerDigest = writeBlob(layer);
        rewrite(config -> {
            ((ArrayNode) config.path("rootfs").path("diff_ids")).add(Digests.sha256(tar));
            ArrayNode history = config.has("history") ? (ArrayNode) config.get("history") : config.putArray("history");
            history.addObject().put("created", Instant.now().toString()).put("created_by", "OciImageBuilder.appendZstdLayer");
        }, layers -> layers.addObject().put("mediaType", ZSTD_LAYER).put("digest", layerDigest).put("size", layer.length));
    }

    /**
     * Changes the image's config JSON (the whole config blob: {@code config.Healthcheck}, {@code config.Labels}…,
     * also what {@code umoci config} cannot set) in a new config, a new manifest, and the tag moved to it.
     */
    public void editConfig(java.util.function.Consumer<ObjectNode> change) throws IOException {
        rewrite(change, layers -> { });
    }

    /** A new config (changed by {@code config}) and manifest (its layers changed by {@code layers}) for the tag. */
    private void rewrite(java.util.function.Consumer<ObjectNode> config, java.util.function.Consumer<ArrayNode> layers)
            throws IOException {
        ObjectNode top = (ObjectNode) JSON.readTree(layout.resolve("index.json").toFile());
        ObjectNode entry = (ObjectNode) BusyboxLayout.descriptor(top, tag);
        ObjectNode manifest = (ObjectNode) readBlob(entry.path("digest").asString());
        ObjectNode configJson = (ObjectNode) readBlob(manifest.path("config").path("digest").asString());
        config.accept(configJson);
        byte[] configBytes = JSON.writeValueAsBytes(configJson);
        ((ObjectNode) manifest.path("config")).put("digest", writeBlob(configBytes)).put("size", configBytes.length);
        layers.accept((ArrayNode) manifest.path("layers"));
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        entry.put("digest", writeBlob(manifestBytes)).put("size", manifestBytes.length);
        JSON.writeValue(layout.resolve("index.json").toFile(), top);
    }

    private String image() {
        return layout + ":" + tag;
    }

    private JsonNode readBlob(String digest) throws IOException {
        return JSON.readTree(Files.readAllBytes(blob(digest)));
    }

    private String writeBlob(byte[] bytes) throws IOException {
        String digest = Digests.sha256(bytes);
        Files.write(blob(digest), bytes);
        return digest;
    }

    private Path blob(String digest) {
        return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }
}
