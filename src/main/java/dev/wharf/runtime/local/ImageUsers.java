package dev.wharf.runtime.local;

import dev.wharf.runtime.bundle.ProcessUser;
import java.nio.file.Path;

/** A spec's {@code user[:group]} resolved in the container's root filesystem. */
final class ImageUsers {

    private ImageUsers() {
    }

    static ProcessUser resolve(Path rootfs, String user) {
        return ProcessUser.ofNumbers(user);
    }
}
