package dev.wharf.runtime.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where a tmpfs may go: paths are read as the kernel resolves them before they are checked. */
class TmpfsMountTests {

    @Test
    void pathsAreNormalizedBeforeTheyAreChecked() {
        assertThat(new TmpfsMount("/run/", 4096).path()).isEqualTo("/run");
        assertThat(new TmpfsMount("//var//./cache/", 4096).path()).isEqualTo("/var/cache");
        for (String hidden : List.of("//proc/", "/./sys", "/dev//shm", "/etc//hosts", "//", "/.")) {
            assertThatThrownBy(() -> new TmpfsMount(hidden, 4096)).as(hidden).isInstanceOf(RuntimeFailure.class)
                    .hasMessageContaining("cannot be mounted at");
        }
        for (String bad : List.of("run", "/a/../proc", "/a/..", "/a,size=1g", "/a\0b")) {
            assertThatThrownBy(() -> new TmpfsMount(bad, 4096)).as(bad).isInstanceOf(RuntimeFailure.class)
                    .hasMessageContaining("absolute path");
        }
        assertThatThrownBy(() -> new TmpfsMount("/run", 4095)).hasMessageContaining("at least 4Ki");
    }

    @Test
    void aTmpfsCannotShareItsPathWithAVolumeOrAnotherTmpfs() {
        RunOptions onData = new RunOptions(false, List.of(new TmpfsMount("/data/", 4096)), false, null);
        assertThatThrownBy(() -> new ContainerSpec("c1", "c1", 1, new Rootfs.Directory(Path.of("/srv")), List.of("/bin/true"), Map.of(),
                null, null, null, null, List.of(new VolumeMount("data", "//data", false)), null, onData))
                .isInstanceOf(RuntimeFailure.class).hasMessageContaining("a volume and a tmpfs are both mounted at /data");
        assertThatThrownBy(() -> new RunOptions(false, List.of(new TmpfsMount("/run", 4096), new TmpfsMount("/run/", 8192)), false,
                null)).hasMessageContaining("two tmpfs mounts");
        assertThat(new ContainerSpec("c1", "c1", 1, new Rootfs.Directory(Path.of("/srv")), List.of("/bin/true"), Map.of(), null, null,
                null, null, List.of(new VolumeMount("data", "/data", false)), null,
                new RunOptions(false, List.of(new TmpfsMount("/data/cache", 4096)), false, null)).options().tmpfs())
                .as("inside a volume is fine: it is mounted after it").hasSize(1);
    }
}
