package dev.wharf.runtime.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the host binaries the runtime runs (runc, conmon, mkfs.ext4, mount, iptables). */
public final class Executables {

    /** Where to look when the process has no PATH. */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** The sbin directories a service's PATH often lacks, searched after it. */
    static final String SBIN = "/usr/local/sbin:/usr/sbin:/sbin";

    private Executables() {
    }

    /**
     * The absolute path of a binary given as a path (used as it is, when executable) or as a name
     * looked up on PATH and then in the sbin directories.
     */
    public static Optional<Path> find(String nameOrPath) {
        if (nameOrPath.contains("/")) {
            Path path = Path.of(nameOrPath);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        for (String dir : searchPath().split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, nameOrPath);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** PATH, or a default when there is none, followed by the sbin directories. */
    public static String searchPath() {
        return System.getenv().getOrDefault("PATH", DEFAULT_PATH) + ":" + SBIN;
    }
}
