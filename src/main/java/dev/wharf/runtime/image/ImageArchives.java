package dev.wharf.runtime.image;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.content.ContentStore;
import dev.wharf.runtime.snapshot.FileTrees;
import dev.wharf.runtime.api.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Imports image archives for air-gapped hosts: an OCI image layout in a tar ({@code oci-archive},
 * {@code docker save} of Docker 25+) or the classic {@code docker save} format
 * ({@code manifest.json} with a config and layer tars per image, which becomes an OCI manifest
 * here). Every blob goes into the content store with its digest verified; nothing is trusted by name.
 */
public final class ImageArchives {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    /** One image found in an archive: its manifest digest (now in the content store) and its name, if the archive gave one. */
    public record Imported(String manifestDigest, String reference) {
    }

    private ImageArchives() {
    }

    public static List<Imported> importArchive(InputStream tar, ContentStore content, Path workDir, long maxBytes) {
        Path temp = workDir.resolve(".import-" + UUID.randomUUID());
        try {
            Files.createDirectories(temp);
            InputStream in = new java.io.BufferedInputStream(tar);
            in.mark(2);
            boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            Map<String, Path> files = extract(gzip ? new java.util.zip.GZIPInputStream(in) : in, temp, maxBytes);
            List<Imported> imported = files.containsKey("index.json") && files.containsKey("oci-layout")
                    ? fromOciLayout(files, content)
                    : files.containsKey("manifest.json") ? fromDockerSave(files, content) : List.of();
            if (imported.isEmpty()) {
                throw RuntimeFailure.invalid("the archive holds no image: expected an OCI layout (index.json) or docker save's manifest.json");
            }
            return imported;
        } catch (IOException e) {
            throw RuntimeFailure.invalid("cannot read the image archive: " + e.getMessage());
        } finally {
            try {
                FileTrees.delete(temp);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + temp, e);
            }
        }
    }

    /** Unpacks the archive's regular files by normalized name; symlinks (old docker save) become aliases. */
    private static Map<String, Path> extract(InputStream tar, Path temp, long maxBytes) throws IOException {
        Map<String, Path> files = new HashMap<>();
        Map<String, String> links = new HashMap<>();
        long total = 0;
        int counter = 0;
        TarArchiveInputStream in = new TarArchiveInputStream(tar);
        TarArchiveEntry entry;
        while ((entry = in.getNextEntry()) != null) {
            String name = normalize(entry.getName());
            if (entry.isSymbolicLink()) {
                String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/') + 1) : "";
                links.put(name, normalize(parent + entry.getLinkName()));
            } else if (entry.isFile()) {
                Path file = temp.resolve("f" + counter++);
                total += Files.copy(new BoundedInputStream(in, maxBytes - total), file);
                files.put(name, file);
            }
        }
        links.forEach((alias, target) -> {
            if (files.containsKey(target)) {
                files.put(alias, files.get(target));
            }
        });
        return files;
    }

    private static String normalize(String name) {
        String n = name.replace('\\', '/');
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        List<String> parts = new ArrayList<>();
        for (String part : n.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw RuntimeFailure.invalid("archive entry \"" + name + "\" points outside the archive");
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }

    private static List<Imported> fromOciLayout(Map<String, Path> files, ContentStore content) throws IOException {
        JsonNode index = JSON.readTree(Files.readString(files.get("index.json")));
        List<Imported> imported = new ArrayList<>();
        for (JsonNode descriptor : index.path("manifests")) {
            String name = descriptor.path("annotations").path("io.containerd.image.name")
                    .asString(descriptor.path("annotations").path("org.opencontainers.image.ref.name").asString(null));
            addDescriptor(descriptor, files, content, reference(name), imported);
        }
        return imported;
    }

    /** Stores a manifest (following an index to its host-platform manifest) with its config and layers. */
    private static void addDescriptor(JsonNode descriptor, Map<String, Path> files, ContentStore content, String reference,
            List<Imported> imported) throws IOException {
        String digest = descriptor.get("digest").asString();
        String mediaType = descriptor.path("mediaType").asString("");
        store(digest, descriptor.path("size").asLong(-1), files, content);
        JsonNode document = JSON.readTree(Files.readString(content.path(digest)));
        if (mediaType.equals(OCI_INDEX) || mediaType.equals(DOCKER_LIST) || document.has("manifests")) {
            String arch = dev.wharf.runtime.registry.Platform.host().architecture();
            for (JsonNode child : document.path("manifests")) {
                String childArch = child.path("platform").path("architecture").asString(arch);
                if (childArch.equals(arch)) {
                    addDescriptor(child, files, content, reference, imported);
                    return;
                }
            }
            throw RuntimeFailure.notFound("the archive's index has no image for linux/" + arch);
        }
        JsonNode config = document.get("config");
        store(config.get("digest").asString(), config.path("size").asLong(-1), files, content);
        for (JsonNode layer : document.path("layers")) {
            store(layer.get("digest").asString(), layer.path("size").asLong(-1), files, content);
        }
        imported.add(new Imported(digest, reference));
    }

    private static void store(String digest, long size, Map<String, Path> files, ContentStore content) throws IOException {
        if (!digest.matches("sha256:[0-9a-f]{64}")) {
            throw RuntimeFailure.invalid("archive names an unsupported digest " + digest);
        }
        Path file = files.get("blobs/sha256/" + digest.substring(7));
        if (file == null) {
            throw RuntimeFailure.invalid("the archive lacks blob " + digest);
        }
        try (InputStream in = Files.newInputStream(file)) {
            content.write(digest, size >= 0 ? size : Files.size(file), in);
        }
    }

    private static List<Imported> fromDockerSave(Map<String, Path> files, ContentStore content) throws IOException {
        JsonNode manifests = JSON.readTree(Files.readString(files.get("manifest.json")));
        List<Imported> imported = new ArrayList<>();
        for (JsonNode image : manifests) {
            ObjectNode manifest = JSON.createObjectNode();
            manifest.put("schemaVersion", 2);
            manifest.put("mediaType", OCI_MANIFEST);
            manifest.set("config", descriptor("application/vnd.oci.image.config.v1+json", image.get("Config").asString(), files, content));
            var layers = manifest.putArray("layers");
            for (JsonNode layer : image.path("Layers")) {
                Path file = required(layer.asString(), files);
                String mediaType = isGzip(file) ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.oci.image.layer.v1.tar";
                layers.add(descriptor(mediaType, layer.asString(), files, content));
            }
            String digest = content.writeBytes(JSON.writeValueAsBytes(manifest));
            String tag = image.path("RepoTags").isArray() && !image.path("RepoTags").isEmpty()
                    ? image.path("RepoTags").get(0).asString() : null;
            imported.add(new Imported(digest, reference(tag)));
        }
        return imported;
    }

    private static ObjectNode descriptor(String mediaType, String name, Map<String, Path> files, ContentStore content)
            throws IOException {
        Path file = required(name, files);
        String digest;
        try (InputStream in = Files.newInputStream(file)) {
            digest = content.write(sha256(file), Files.size(file), in);
        }
        ObjectNode node = JSON.createObjectNode();
        node.put("mediaType", mediaType);
        node.put("digest", digest);
        node.put("size", Files.size(file));
        return node;
    }

    private static Path required(String name, Map<String, Path> files) {
        Path file = files.get(normalize(name));
        if (file == null) {
            throw RuntimeFailure.invalid("the archive's manifest.json names " + name + ", which is not in the archive");
        }
        return file;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha.update(buffer, 0, n);
            }
            return "sha256:" + java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** A full reference for a name in an archive ("busybox:1" → "docker.io/library/busybox:1"); a bare tag gives none. */
    private static String reference(String name) {
        if (name == null || name.isBlank() || !name.contains(":") && !name.contains("/")) {
            return null;
        }
        try {
            return ImageReference.parse(name).toString();
        } catch (RuntimeFailure e) {
            return null;
        }
    }

    /** Refuses to read past a byte budget (an archive is no bigger than the limit says). */
    private static final class BoundedInputStream extends java.io.FilterInputStream {
        private long left;

        BoundedInputStream(InputStream in, long left) {
            super(in);
            this.left = left;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && (left -= n) < 0) {
                throw RuntimeFailure.invalid("the image archive is larger than the import limit");
            }
            return n;
        }

        @Override
        public void close() {
            // the tar stream stays open for the next entry
        }
    }
}
