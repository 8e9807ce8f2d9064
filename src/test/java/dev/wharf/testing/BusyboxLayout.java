package dev.wharf.testing;

import dev.wharf.runtime.content.Digests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An OCI image layout built with umoci from Debian's static busybox, for registry and image tests.
 * Tags: {@link #AMD64} (linux/amd64), {@link #ARM64} (the same layer, marked linux/arm64) and
 * {@link #MULTI}, an image index of both (the arm64 entry with variant v8). Both images run
 * {@code /bin/sh} in {@code /root} with {@code PATH=/bin}.
 */
public final class BusyboxLayout {

    public static final String AMD64 = "amd64";
    public static final String ARM64 = "arm64";
    public static final String MULTI = "multi";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String REF_NAME = "org.opencontainers.image.ref.name";

    private BusyboxLayout() {
    }

    /** Whether busybox-static, umoci and skopeo are installed. */
    public static boolean available() {
        return BusyboxRootfs.available() && Commands.onPath("umoci") && Commands.onPath("skopeo");
    }

    /** Builds the layout in {@code dir/layout} (using {@code dir/bundle} on the way) and returns its path. */
    public static Path create(Path dir) throws IOException, InterruptedException {
        Path layout = dir.resolve("layout");
        Path bundle = dir.resolve("bundle");
        Commands.run(List.of("umoci", "init", "--layout", layout.toString()));
        Commands.run(List.of("umoci", "new", "--image", layout + ":base"));
        Commands.run(List.of("umoci", "unpack", "--rootless", "--image", layout + ":base", bundle.toString()));
        BusyboxRootfs.create(bundle.resolve("rootfs"));
        Commands.run(List.of("umoci", "repack", "--image", layout + ":base", bundle.toString()));
        for (String arch : List.of(AMD64, ARM64)) {
            Commands.run(List.of("umoci", "config", "--image", layout + ":base", "--tag", arch, "--os", "linux", "--architecture", arch,
                    "--config.cmd", "/bin/sh", "--config.workingdir", "/root", "--config.env", "PATH=/bin"));
        }
        addIndex(layout);
        return layout;
    }

    /** The digest of the manifest (or index) tagged {@code tag} in {@code layout}. */
    public static String digest(Path layout, String tag) throws IOException {
        return descriptor(JSON.readTree(layout.resolve("index.json").toFile()), tag).path("digest").asString();
    }

    /**
     * Writes an index of the images tagged {@link #AMD64} and {@link #ARM64} in {@code layout} (each
     * marked with its tag as architecture, arm64 with variant v8) into its blobs and tags it {@link #MULTI}.
     */
    public static void addIndex(Path layout) throws IOException {
        ObjectNode top = (ObjectNode) JSON.readTree(layout.resolve("index.json").toFile());
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.index.v1+json");
        ArrayNode entries = index.putArray("manifests");
        for (String arch : List.of(AMD64, ARM64)) {
            JsonNode image = descriptor(top, arch);
            ObjectNode entry = entries.addObject().put("mediaType", image.path("mediaType").asString())
                    .put("digest", image.path("digest").asString()).put("size", image.path("size").asLong());
            ObjectNode platform = entry.putObject("platform").put("architecture", arch).put("os", "linux");
            if (arch.equals(ARM64)) {
                platform.put("variant", "v8");
            }
        }
        byte[] bytes = JSON.writeValueAsBytes(index);
        String digest = Digests.sha256(bytes);
        Files.write(layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length())), bytes);
        ((ArrayNode) top.path("manifests")).addObject().put("mediaType", "application/vnd.oci.image.index.v1+json")
                .put("digest", digest).put("size", bytes.length).putObject("annotations").put(REF_NAME, MULTI);
        JSON.writeValue(layout.resolve("index.json").toFile(), top);
    }

    /** The entry tagged {@code tag} in a layout's {@code index.json}. */
    static JsonNode descriptor(JsonNode top, String tag) {
        for (JsonNode entry : top.path("manifests")) {
            if (tag.equals(entry.path("annotations").path(REF_NAME).asString(""))) {
                return entry;
            }
        }
        throw new IllegalStateException("no tag " + tag + " in the layout");
    }
}
