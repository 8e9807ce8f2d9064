package dev.wharf.runtime.snapshot.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.linux.LinuxSyscalls;
import dev.wharf.testing.Prerequisites;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlaySnapshotterTests {

    @TempDir
    Path dir;

    @Test
    void aFailingWriterLeavesNothingAndCommitIsIdempotent() throws IOException {
        OverlaySnapshotter snapshots = new OverlaySnapshotter(dir.resolve("snapshots"), LinuxSyscalls.jna());
        assertThatThrownBy(() -> snapshots.commit("broken", target -> {
            Files.writeString(target.resolve("half"), "x");
            throw new IOException("disk on fire");
        })).isInstanceOf(RuntimeFailure.class).hasMessageContaining("disk on fire");
        assertThat(snapshots.exists("broken")).isFalse();
        try (var left = Files.list(dir.resolve("snapshots"))) {
            assertThat(left).isEmpty();
        }
        snapshots.commit("ok", target -> Files.writeString(target.resolve("f"), "1"));
        snapshots.commit("ok", target -> {
            throw new AssertionError("a committed layer is never written again");
        });
        assertThat(snapshots.list()).containsExactly("ok");
        snapshots.remove("ok");
        assertThat(snapshots.list()).isEmpty();
        assertThatThrownBy(() -> snapshots.commit("../evil", target -> { })).isInstanceOf(RuntimeFailure.class);
    }

    @Test
    void layersOverlayTopFirstAndWritesStayPrivate() throws IOException {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "mounting overlays needs root");
        OverlaySnapshotter snapshots = new OverlaySnapshotter(dir.resolve("snapshots"), LinuxSyscalls.jna());
        snapshots.commit("base", target -> {
            Files.writeString(target.resolve("a"), "base");
            Files.writeString(target.resolve("b"), "base");
        });
        snapshots.commit("top", target -> Files.writeString(target.resolve("b"), "top"));
        Path mount = dir.resolve("ctr/rootfs");
        try {
            snapshots.mountActive(List.of("top", "base"), dir.resolve("ctr"), mount);
            assertThat(Files.readString(mount.resolve("a"))).isEqualTo("base");
            assertThat(Files.readString(mount.resolve("b"))).isEqualTo("top");
            Files.writeString(mount.resolve("a"), "changed");
            assertThat(Files.readString(dir.resolve("ctr/upper/a"))).isEqualTo("changed");
            assertThat(Files.readString(dir.resolve("snapshots/base/fs/a"))).isEqualTo("base");
        } finally {
            snapshots.removeActive(dir.resolve("ctr"), mount);
        }
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(mount.toString());
        assertThat(dir.resolve("ctr/upper")).doesNotExist();
        snapshots.removeActive(dir.resolve("ctr"), mount);
    }
}
