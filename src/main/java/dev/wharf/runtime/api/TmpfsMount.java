package dev.wharf.runtime.api;

import java.util.regex.Pattern;

/**
 * A tmpfs mounted in the container ({@code nosuid,nodev}, mode 1777). Its pages count against the
 * container's memory limit, as the kernel charges them to the container's cgroup.
 *
 * @param path      absolute path inside the container, normalized ({@code //run/} is {@code /run})
 * @param sizeBytes the most it holds
 */
public record TmpfsMount(String path, long sizeBytes) {

    /** Paths the runtime mounts itself. */
    private static final Pattern RESERVED = Pattern.compile("/|/proc(/.*)?|/sys(/.*)?|/dev(/.*)?|/etc/(hosts|hostname|resolv\\.conf)");

    public TmpfsMount {
        if (path == null || !path.startsWith("/") || path.contains("/../") || path.endsWith("/..") || path.contains(",")
                || path.contains("\0")) {
            throw RuntimeFailure.invalid("a tmpfs path must be an absolute path inside the container, got " + path);
        }
        path = normalize(path); // "//proc/" is /proc
        if (RESERVED.matcher(path).matches()) {
            throw RuntimeFailure.invalid("a tmpfs cannot be mounted at " + path);
        }
        if (sizeBytes < 4096) {
            throw RuntimeFailure.invalid("a tmpfs at " + path + " needs a size of at least 4Ki, got " + sizeBytes);
        }
    }

    /** A container path as the kernel resolves it, without empty and {@code .} components: {@code //run/./} is {@code /run}. */
    public static String normalize(String path) {
        StringBuilder normalized = new StringBuilder();
        for (String part : path.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                normalized.append('/').append(part);
            }
        }
        return normalized.isEmpty() ? "/" : normalized.toString();
    }
}
