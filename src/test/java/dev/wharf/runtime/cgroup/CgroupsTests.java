package dev.wharf.runtime.cgroup;

import static dev.wharf.runtime.cgroup.TestFiles.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.wharf.runtime.api.RuntimeFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupsTests {

    /** /proc/self/cgroup of a process on a hybrid host like the one Wharf is developed on. */
    static final String HYBRID = """
            9:name=systemd:/
            8:pids:/
            7:blkio:/
            6:freezer:/
            5:devices:/
            4:memory:/process_api/954f
            3:cpuset:/
            2:cpuacct:/
            1:cpu:/
            0::/
            """;

    @TempDir
    Path dir;

    @Test
    void parsesEveryHierarchyOfAHybridHostInFileOrder() {
        assertThat(Cgroups.parseProcSelfCgroup(HYBRID)).containsExactly(
                entry("name=systemd", "/"), entry("pids", "/"), entry("blkio", "/"), entry("freezer", "/"),
                entry("devices", "/"), entry("memory", "/process_api/954f"), entry("cpuset", "/"),
                entry("cpuacct", "/"), entry("cpu", "/"), entry("", "/"));
    }

    @Test
    void parsesCoMountedControllersAndPathsWithColons() {
        assertThat(Cgroups.parseProcSelfCgroup("4:cpu,cpuacct:/user.slice\n2:memory:/odd:name\n"))
                .containsExactly(entry("cpu,cpuacct", "/user.slice"), entry("memory", "/odd:name"));
    }

    @Test
    void parsesTheSingleLineOfAUnifiedHost() {
        assertThat(Cgroups.parseProcSelfCgroup("0::/system.slice/wharf.service\n"))
                .containsExactly(entry("", "/system.slice/wharf.service"));
    }

    @Test
    void refusesALineThatIsNotIdControllersPath() {
        assertThatThrownBy(() -> Cgroups.parseProcSelfCgroup("0::/\nnonsense\n"))
                .isInstanceOf(RuntimeFailure.class).hasMessageContaining("'nonsense'");
    }

    @Test
    void aUnifiedMountIsV2AndUsesTheOwnCgroupOfTheV2Line() {
        Path mountRoot = dir.resolve("cgroup");
        put(mountRoot.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        Path procSelfCgroup = put(dir.resolve("proc-self-cgroup"), "0::/system.slice/wharf.service\n");

        CgroupManager manager = Cgroups.detect(mountRoot, procSelfCgroup, "wharf");

        assertThat(manager).isInstanceOf(CgroupV2Manager.class);
        assertThat(manager.version()).isEqualTo("v2");
        assertThat(manager.containerCgroupsPath(1, "c1")).isEqualTo("/system.slice/wharf.service/wharf/team-1/ctr-c1");
    }

    @Test
    void aHybridHostIsV1() throws Exception {
        Path mountRoot = dir.resolve("cgroup");
        for (String hierarchy : new String[] {"cpu", "cpuacct", "memory", "pids", "systemd"}) {
            Files.createDirectories(mountRoot.resolve(hierarchy));
        }
        put(mountRoot.resolve("unified/cgroup.controllers"), "");
        Path procSelfCgroup = put(dir.resolve("proc-self-cgroup"), HYBRID);

        CgroupManager manager = Cgroups.detect(mountRoot, procSelfCgroup, "wharf");

        assertThat(manager).isInstanceOf(CgroupV1Manager.class);
        assertThat(manager.version()).isEqualTo("v1");
        assertThat(manager.containerCgroupsPath(1, "c1")).isEqualTo("wharf/team-1/ctr-c1");
    }
}
