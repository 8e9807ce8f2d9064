package dev.wharf.runtime.registry;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.content.Digests;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/** Reading OCI and Docker schema 2 manifests and indexes: their kinds, descriptors and media types. */
final class Manifests {

    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

    /** The Accept header of manifest requests. */
    static final String ACCEPT = String.join(", ", OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST);

    static final Set<String> LAYER_TYPES = Set.of("application/vnd.oci.image.layer.v1.tar",
            "application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar+zstd",
            "application/vnd.docker.image.rootfs.diff.tar.gzip");

    static final Set<String> CONFIG_TYPES = Set.of("application/vnd.oci.image.config.v1+json",
            "application/vnd.docker.container.image.v1+json");

    /** A content descriptor: what a manifest or index points at. */
    record Descriptor(String mediaType, String digest, long size) {
    }

    private Manifests() {
    }

    /** True for an index or manifest list, false for an image manifest; INVALID_ARGUMENT for anything else. */
    static boolean isIndex(String mediaType) {
        if (mediaType.equals(OCI_INDEX) || mediaType.equals(DOCKER_LIST)) {
            return true;
        }
        if (mediaType.equals(OCI_MANIFEST) || mediaType.equals(DOCKER_MANIFEST)) {
            return false;
        }
        throw RuntimeFailure.invalid("unsupported manifest media type \"" + mediaType + "\" (Wharf reads OCI and Docker schema 2)");
    }

    /** The first entry of {@code index} that {@code platform} accepts; NOT_FOUND listing what the index has. */
    static Descriptor select(JsonNode index, Platform platform) {
        List<String> offered = new ArrayList<>();
        for (JsonNode entry : index.path("manifests")) {
            JsonNode p = entry.path("platform");
            if (p.path("os").isString() && p.path("architecture").isString()) {
                Platform candidate = new Platform(p.path("os").asString(), p.path("architecture").asString(),
                        p.path("variant").isString() ? p.path("variant").asString() : null);
                if (platform.accepts(candidate)) {
                    return descriptor(entry, "index entry");
                }
                offered.add(candidate.toString());
            } else {
                offered.add("unknown");
            }
        }
        throw RuntimeFailure.notFound("no " + platform + " image; it has: "
                + (offered.isEmpty() ? "nothing" : offered.stream().distinct().collect(Collectors.joining(", "))));
    }

    /** The config descriptor of an image manifest; INVALID_ARGUMENT if it is not a container image's config. */
    static Descriptor config(JsonNode manifest) {
        Descriptor config = descriptor(manifest.path("config"), "config");
        if (!CONFIG_TYPES.contains(config.mediaType())) {
            throw RuntimeFailure.invalid("not a container image: config media type \"" + config.mediaType() + "\"");
        }
        return config;
    }

    /** The layers of an image manifest, bottom first; INVALID_ARGUMENT for a media type Wharf cannot unpack. */
    static List<PulledImage.Layer> layers(JsonNode manifest) {
        List<PulledImage.Layer> layers = new ArrayList<>();
        for (JsonNode node : manifest.path("layers")) {
            Descriptor layer = descriptor(node, "layer");
            if (!LAYER_TYPES.contains(layer.mediaType())) {
                throw RuntimeFailure.invalid("layer " + layer.digest() + " has unsupported media type \"" + layer.mediaType() + "\"");
            }
            layers.add(new PulledImage.Layer(layer.digest(), layer.mediaType(), layer.size()));
        }
        return layers;
    }

    private static Descriptor descriptor(JsonNode node, String what) {
        JsonNode size = node.path("size");
        if (!node.path("mediaType").isString() || !Digests.isValid(node.path("digest").asString(null))
                || !size.isIntegralNumber() || size.asLong() < 0) {
            throw RuntimeFailure.invalid("malformed " + what + " descriptor " + node);
        }
        return new Descriptor(node.path("mediaType").asString(), node.path("digest").asString(), size.asLong());
    }
}
