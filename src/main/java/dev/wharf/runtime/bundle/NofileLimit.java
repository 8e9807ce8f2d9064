package dev.wharf.runtime.bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The open-files limit ({@code RLIMIT_NOFILE}) a container gets: Docker's 1048576, unless the
 * runtime lacks {@code CAP_SYS_RESOURCE}. runc sets the limit from its own process, which inherits
 * the runtime's limits; without that capability it cannot raise the hard limit, and every
 * container start would fail with "error setting rlimit type 7: operation not permitted". There
 * the runtime's own hard limit is used instead.
 */
final class NofileLimit {

    static final long DOCKER_DEFAULT = 1_048_576;
    private static final int CAP_SYS_RESOURCE = 24;

    private NofileLimit() {
    }

    /** The limit for containers started by this process; Docker's default where {@code /proc} cannot be read. */
    static long forHost() {
        try {
            return from(Files.readString(Path.of("/proc/self/status")), Files.readString(Path.of("/proc/self/limits")));
        } catch (IOException e) {
            return DOCKER_DEFAULT;
        }
    }

    /**
     * @param status the text of {@code /proc/<pid>/status}
     * @param limits the text of {@code /proc/<pid>/limits}
     */
    static long from(String status, String limits) {
        if ((capabilities(status) & (1L << CAP_SYS_RESOURCE)) != 0) {
            return DOCKER_DEFAULT;
        }
        return Math.min(DOCKER_DEFAULT, hardNofile(limits));
    }

    private static long capabilities(String status) {
        return status.lines().filter(line -> line.startsWith("CapEff:")).findFirst()
                .map(line -> Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16))
                .orElse(0L);
    }

    private static long hardNofile(String limits) {
        return limits.lines().filter(line -> line.startsWith("Max open files")).findFirst()
                .map(line -> line.substring("Max open files".length()).strip().split("\\s+")[1])
                .map(hard -> hard.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(hard))
                .orElse(DOCKER_DEFAULT);
    }
}
