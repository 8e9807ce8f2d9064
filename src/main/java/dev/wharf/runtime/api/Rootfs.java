package dev.wharf.runtime.api;

import java.nio.file.Path;

/** Where a container's root filesystem comes from. */
public sealed interface Rootfs {

    /**
     * A directory on the runtime's host, copied once into a read-only snapshot (with ownership
     * shifted into the team's id range). Used by tests and air-gapped imports until images land.
     */
    record Directory(Path path) implements Rootfs {
        public Directory {
            if (path == null || !path.isAbsolute()) {
                throw RuntimeFailure.invalid("rootfs directory must be an absolute path, got " + path);
            }
        }
    }
}
