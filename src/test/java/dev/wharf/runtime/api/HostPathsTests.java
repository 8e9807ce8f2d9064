package dev.wharf.runtime.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a client reads of a failure that named the node's files. */
class HostPathsTests {

    static final Path DATA = Path.of("/var/lib/wharf-hostpaths-test");

    @Test
    void pathsUnderADataDirectoryBecomeWhatTheyAre() {
        HostPaths.register(DATA);
        assertThat(HostPaths.redact("create 3f2a: runc create: error preparing rootfs: mount " + DATA
                + "/containers/3f2a/bundle/rootfs: permission denied"))
                .isEqualTo("create 3f2a: runc create: error preparing rootfs: mount the container's root filesystem: permission denied");
        assertThat(HostPaths.redact("error mounting \"" + DATA + "/volumes/team-7/data\" to rootfs at \"/bin/busybox\": not a directory"))
                .isEqualTo("error mounting \"volume data\" to rootfs at \"/bin/busybox\": not a directory");
        assertThat(HostPaths.redact("overlay lowerdir=" + DATA + "/snapshots/a/fs:" + DATA + "/snapshots/b/fs: invalid argument"))
                .isEqualTo("overlay lowerdir=an image layer:an image layer: invalid argument");
        assertThat(HostPaths.redact("cannot write " + DATA + "/containers/x/container.json"))
                .isEqualTo("cannot write the container's files on the node");
    }

    @Test
    void containerPathsAndOtherTextStay() {
        HostPaths.register(DATA);
        String text = "chdir to cwd (\"/nonexistent\") set in config.json failed: no such file or directory";
        assertThat(HostPaths.redact(text)).isEqualTo(text);
        assertThat(HostPaths.redact(DATA + "-other/x")).isEqualTo(DATA + "-other/x");
        assertThat(new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "mount " + DATA + "/volumes/team-1/v: denied"))
                .hasMessage("mount volume v: denied")
                .satisfies(f -> assertThat(f.hostDetail()).isEqualTo("mount " + DATA + "/volumes/team-1/v: denied"));
    }
}
