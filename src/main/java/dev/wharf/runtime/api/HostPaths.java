package dev.wharf.runtime.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes a node's own paths out of the text that reaches clients. A failure deep in the runtime
 * (runc, a mount, an unpack) names files under the node's data directory
 * ({@code /var/lib/wharf/containers/abc/bundle/rootfs: permission denied}); a team learns nothing
 * useful from that and an attacker learns the host's layout. {@link RuntimeFailure} passes its
 * message through {@link #redact}, which puts a neutral description in place of every path under
 * a registered data directory ("the container's root filesystem"); the full text stays with the
 * exception ({@link RuntimeFailure#hostDetail()}) for the server's log.
 */
public final class HostPaths {

    /** data directories of the runtimes in this process, longest first when matched */
    private static final Set<String> DATA_DIRS = new CopyOnWriteArraySet<>();
    private static final String PATH_CHARS = "[^\\s:'\"()\\[\\],;]*";

    private HostPaths() {
    }

    /** Registers a runtime's data directory (as given, and as it resolves through symlinks). */
    public static void register(Path dataDir) {
        Path absolute = dataDir.toAbsolutePath().normalize();
        DATA_DIRS.add(absolute.toString());
        try {
            DATA_DIRS.add(absolute.toRealPath().toString());
        } catch (IOException notYet) {
            // not created yet: the absolute path is what messages will name
        }
    }

    /** {@code text} with every path under a registered data directory replaced by what it is. */
    public static String redact(String text) {
        if (text == null || DATA_DIRS.isEmpty()) {
            return text;
        }
        String result = text;
        List<String> dirs = DATA_DIRS.stream().filter(d -> !d.equals("/")).sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        for (String dir : dirs) {
            if (!result.contains(dir)) {
                continue;
            }
            Matcher matcher = Pattern.compile(Pattern.quote(dir) + "(?=/|$|[\\s:'\"()\\[\\],;])(" + PATH_CHARS + ")").matcher(result);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                matcher.appendReplacement(out, Matcher.quoteReplacement(describe(matcher.group(1))));
            }
            matcher.appendTail(out);
            result = out.toString();
        }
        return result;
    }

    /** What a path under the data directory ({@code /containers/abc/bundle/rootfs/etc}) is, in a client's words. */
    static String describe(String relative) {
        String[] parts = relative.replaceFirst("^/+", "").split("/");
        String top = parts[0];
        return switch (top) {
            case "containers" -> parts.length >= 4 && parts[2].equals("bundle") && parts[3].equals("rootfs")
                    ? "the container's root filesystem" : "the container's files on the node";
            case "volumes" -> parts.length >= 3 ? "volume " + parts[2] : "the team's volumes";
            case "snapshots" -> "an image layer";
            case "content", "images" -> "the node's image store";
            default -> "the node's data directory";
        };
    }
}
