package dev.wharf.runtime.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A fully qualified image reference: {@code registry/repository[:tag][@digest]}, parsed with
 * Docker's rules ({@link #parse}). At least one of tag and digest is set; when both are, the
 * digest decides what is pulled.
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

    /** Docker Hub, the registry of references that name none. */
    public static final String DOCKER_HUB = "docker.io";

    private static final String DOCKER_HUB_LEGACY = "index.docker.io";
    private static final String DOCKER_HUB_API = "registry-1.docker.io";
    private static final int NAME_MAX = 255;
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("\\w[\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final String HOST_LABEL = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final Pattern REGISTRY = Pattern.compile(HOST_LABEL + "(?:\\." + HOST_LABEL + ")*(?::[0-9]+)?");

    public ImageReference {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        if (tag == null && digest == null) {
            throw new IllegalArgumentException("a reference needs a tag or a digest");
        }
    }

    /**
     * Parses {@code text} as Docker does: without a registry part the registry is Docker Hub and a
     * single-name repository gets {@code library/}; the first path component is a registry only if
     * it contains {@code .} or {@code :} or is {@code localhost}; the tag defaults to
     * {@code latest} unless a digest is given. Bad input is INVALID_ARGUMENT naming the problem.
     */
    public static ImageReference parse(String text) {
        if (text == null || text.isEmpty()) {
            throw invalid(text, "empty reference");
        }
        String name = text;
        String digest = null;
        int at = name.indexOf('@');
        if (at >= 0) {
            digest = name.substring(at + 1);
            name = name.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw invalid(text, "digest must be sha256: and 64 lowercase hex digits");
            }
        }
        String tag = null;
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf('/')) {
            tag = name.substring(colon + 1);
            name = name.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw invalid(text, "invalid tag \"" + tag + "\" (letters, digits, _ . - and at most 128 characters)");
            }
        }
        if (name.isEmpty()) {
            throw invalid(text, "repository name missing");
        }
        if (name.length() > NAME_MAX) {
            throw invalid(text, "name longer than " + NAME_MAX + " characters");
        }
        String registry = DOCKER_HUB;
        String repository = name;
        int slash = name.indexOf('/');
        if (slash >= 0) {
            String first = name.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                if (!REGISTRY.matcher(first).matches()) {
                    throw invalid(text, "invalid registry \"" + first + "\"");
                }
                registry = first.equals(DOCKER_HUB_LEGACY) ? DOCKER_HUB : first;
                repository = name.substring(slash + 1);
            }
        }
        for (String component : repository.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw invalid(text, COMPONENT.matcher(component.toLowerCase()).matches() ? "repository name must be lowercase"
                        : component.isEmpty() ? "empty component in repository name"
                        : "invalid repository name component \"" + component + "\"");
            }
        }
        if (registry.equals(DOCKER_HUB) && !repository.contains("/")) {
            repository = "library/" + repository;
        }
        return new ImageReference(registry, repository, tag == null && digest == null ? "latest" : tag, digest);
    }

    /** The host (and port) of the registry's HTTP API: Docker Hub's API host for {@code docker.io}. */
    public String apiHost() {
        return registry.equals(DOCKER_HUB) ? DOCKER_HUB_API : registry;
    }

    /** What the manifest is fetched by: the digest when there is one, else the tag. */
    public String manifestReference() {
        return digest != null ? digest : tag;
    }

    /** The canonical form, {@code docker.io/library/busybox:latest}. */
    @Override
    public String toString() {
        return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    private static RuntimeFailure invalid(String text, String problem) {
        return RuntimeFailure.invalid("invalid reference \"" + text + "\": " + problem);
    }
}
