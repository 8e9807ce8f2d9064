package dev.wharf.runtime.registry;

import java.util.Objects;

/**
 * The platform an image is built for, as OCI image indexes name it: {@code linux/amd64},
 * {@code linux/arm64/v8}. {@code variant} may be null.
 */
public record Platform(String os, String architecture, String variant) {

    public Platform {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(architecture, "architecture");
    }

    /**
     * The Linux platform of this JVM's CPU: {@code linux/amd64}, {@code linux/arm64/v8}, or the
     * architecture as Java names it.
     */
    public static Platform host() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> new Platform("linux", "amd64", null);
            case "aarch64", "arm64" -> new Platform("linux", "arm64", "v8");
            default -> new Platform("linux", System.getProperty("os.arch"), null);
        };
    }

    /**
     * Whether an image built for {@code offered} runs here: same os and architecture, and the same
     * variant when this platform names one ({@code arm64} without a variant counts as {@code v8}).
     */
    boolean accepts(Platform offered) {
        return os.equals(offered.os) && architecture.equals(offered.architecture)
                && (variant == null || variant.equals(offered.normalizedVariant()));
    }

    private String normalizedVariant() {
        return variant == null && architecture.equals("arm64") ? "v8" : variant;
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant != null ? "/" + variant : "");
    }
}
