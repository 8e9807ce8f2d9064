package dev.wharf.runtime.registry;

import dev.wharf.runtime.api.ImageReference;
import java.util.List;

/**
 * What a pull put in the content store: the manifest for the chosen platform, its config and its
 * layers (bottom first), plus the config's container defaults.
 *
 * @param indexDigest the image index (or Docker manifest list) the reference resolved to; null
 *        when it named a single manifest
 */
public record PulledImage(ImageReference reference, String indexDigest, String manifestDigest, String configDigest,
        List<Layer> layers, ImageConfig config) {

    public PulledImage {
        layers = List.copyOf(layers);
    }

    /** A layer blob: compressed (gzip or zstd) or plain tar, as {@code mediaType} says. */
    public record Layer(String digest, String mediaType, long size) {
    }
}
