package dev.wharf.runtime.api;

import java.nio.file.Path;

/** Where a container's root filesystem comes from. */
public sealed interface Rootfs {

    /**
     * A directory on the runtime's host, copied once into a read-only snapshot (with ownership
     * shifted into the team's id range). Used by tests and air-gapped imports until images land.
     */
    /** An image already on the node (pulled or imported), by manifest digest. */
    record Image(String digest) implements Rootfs {
        public Image {
            if (digest == null || !digest.matches("sha256:[0-9a-f]{64}")) {
                throw RuntimeFailure.invalid("image digest must be sha256:<64 hex digits>, got " + digest);
            }
        }
    }

    record Directory(Path path) implements Rootfs {
        public Directory {
            if (path == null || !path.isAbsolute()) {
                throw RuntimeFailure.invalid("rootfs directory must be an absolute path, got " + path);
            }
        }
    }
}
