package dev.wharf.runtime.cgroup;

import static dev.wharf.runtime.cgroup.TestFiles.content;
import static dev.wharf.runtime.cgroup.TestFiles.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.ContainerStats;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.RuntimeFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Temporary trees stand in for /sys/fs/cgroup with one hierarchy per controller, or cpu and cpuacct co-mounted. */
class CgroupV1ManagerTests {

    static final long MI = 1024 * 1024;
    static final String UNLIMITED = "9223372036854771712";

    @TempDir
    Path mountRoot;

    /** Like the development host: separate cpu and cpuacct, memory under a parent cgroup, a hybrid v2 line. */
    CgroupV1Manager separate(String root) throws IOException {
        for (String hierarchy : new String[] {"cpu", "cpuacct", "cpuset", "memory", "pids", "systemd", "unified"}) {
            Files.createDirectories(mountRoot.resolve(hierarchy));
        }
        return new CgroupV1Manager(mountRoot, Cgroups.parseProcSelfCgroup(CgroupsTests.HYBRID), root);
    }

    /** Like most systemd hosts: cpu and cpuacct co-mounted, the service in its own cgroup everywhere. */
    CgroupV1Manager coMounted(String root) throws IOException {
        for (String hierarchy : new String[] {"cpu,cpuacct", "memory", "pids"}) {
            Files.createDirectories(mountRoot.resolve(hierarchy));
        }
        return new CgroupV1Manager(mountRoot, Map.of("cpu,cpuacct", "/wharf.service", "memory", "/wharf.service",
                "pids", "/wharf.service"), root);
    }

    @Test
    void separateHierarchiesGetTheTeamLimitsUnderTheOwnCgroupOfEach() throws IOException {
        CgroupV1Manager manager = separate("wharf");

        manager.applyTeamLimits(7, new Resources(0.5, 64 * MI, 50L));

        assertThat(content(mountRoot.resolve("memory/process_api/954f/wharf/team-7/memory.limit_in_bytes"))).isEqualTo("67108864");
        assertThat(mountRoot.resolve("memory/process_api/954f/wharf/team-7/memory.memsw.limit_in_bytes"))
                .as("no swap accounting in this tree").doesNotExist();
        assertThat(content(mountRoot.resolve("cpu/wharf/team-7/cpu.cfs_period_us"))).isEqualTo("100000");
        assertThat(content(mountRoot.resolve("cpu/wharf/team-7/cpu.cfs_quota_us"))).isEqualTo("50000");
        assertThat(mountRoot.resolve("cpuacct/wharf/team-7")).isDirectory();
        assertThat(content(mountRoot.resolve("pids/wharf/team-7/pids.max"))).isEqualTo("50");
        assertThat(mountRoot.resolve("cpuset/wharf")).as("runc's business").doesNotExist();

        manager.applyTeamLimits(7, Resources.UNLIMITED);

        assertThat(content(mountRoot.resolve("memory/process_api/954f/wharf/team-7/memory.limit_in_bytes"))).isEqualTo("-1");
        assertThat(content(mountRoot.resolve("cpu/wharf/team-7/cpu.cfs_quota_us"))).isEqualTo("-1");
        assertThat(content(mountRoot.resolve("pids/wharf/team-7/pids.max"))).isEqualTo("max");
    }

    @Test
    void coMountedCpuAndCpuacctShareOneTeamCgroup() throws IOException {
        coMounted("wharf").applyTeamLimits(1, new Resources(2.0, null, null));

        assertThat(content(mountRoot.resolve("cpu,cpuacct/wharf.service/wharf/team-1/cpu.cfs_quota_us"))).isEqualTo("200000");
        assertThat(content(mountRoot.resolve("memory/wharf.service/wharf/team-1/memory.limit_in_bytes"))).isEqualTo("-1");
        assertThat(content(mountRoot.resolve("pids/wharf.service/wharf/team-1/pids.max"))).isEqualTo("max");
    }

    @Test
    void anAbsoluteRootLiesAtTheTopOfEachHierarchy() throws IOException {
        CgroupV1Manager manager = coMounted("/wharf");

        manager.applyTeamLimits(1, new Resources(0.25, null, 10L));

        assertThat(content(mountRoot.resolve("cpu,cpuacct/wharf/team-1/cpu.cfs_quota_us"))).isEqualTo("25000");
        assertThat(content(mountRoot.resolve("pids/wharf/team-1/pids.max"))).isEqualTo("10");
        assertThat(manager.containerCgroupsPath(1, "abc")).isEqualTo("/wharf/team-1/ctr-abc");
    }

    @Test
    void aRelativeRootGivesRuncARelativeCgroupsPath() throws IOException {
        assertThat(separate("wharf").containerCgroupsPath(7, "abc")).isEqualTo("wharf/team-7/ctr-abc");
    }

    @Test
    void swapAccountingGetsTheSameLimit() throws IOException {
        CgroupV1Manager manager = separate("wharf");
        Path team = mountRoot.resolve("memory/process_api/954f/wharf/team-7");
        put(team.resolve("memory.limit_in_bytes"), UNLIMITED + "\n");
        put(team.resolve("memory.memsw.limit_in_bytes"), UNLIMITED + "\n");

        manager.applyTeamLimits(7, new Resources(null, 64 * MI, null));

        assertThat(content(team.resolve("memory.limit_in_bytes"))).isEqualTo("67108864");
        assertThat(content(team.resolve("memory.memsw.limit_in_bytes"))).isEqualTo("67108864");
    }

    @Test
    void memoryPlusSwapIsRaisedFirstAndCutLast() {
        assertThat(CgroupV1Manager.memoryWriteOrder(Long.parseLong(UNLIMITED), 64 * MI))
                .containsExactly("memory.limit_in_bytes", "memory.memsw.limit_in_bytes");
        assertThat(CgroupV1Manager.memoryWriteOrder(64 * MI, 128 * MI))
                .containsExactly("memory.memsw.limit_in_bytes", "memory.limit_in_bytes");
        assertThat(CgroupV1Manager.memoryWriteOrder(64 * MI, null))
                .containsExactly("memory.memsw.limit_in_bytes", "memory.limit_in_bytes");
        assertThat(CgroupV1Manager.memoryWriteOrder(64 * MI, 64 * MI)).hasSize(2);
    }

    @Test
    void statsComeFromEachHierarchyAndTheTeamLimit() throws IOException {
        CgroupV1Manager manager = separate("wharf");
        Path memory = mountRoot.resolve("memory/process_api/954f/wharf/team-7/ctr-abc");
        put(memory.resolve("memory.usage_in_bytes"), "4096\n");
        put(memory.resolve("memory.limit_in_bytes"), UNLIMITED + "\n");
        put(memory.getParent().resolve("memory.limit_in_bytes"), "67108864\n");
        put(memory.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        put(mountRoot.resolve("cpuacct/wharf/team-7/ctr-abc/cpuacct.usage"), "1500000000\n");
        put(mountRoot.resolve("pids/wharf/team-7/ctr-abc/pids.current"), "2\n");

        assertThat(manager.containerStats(7, "abc")).isEqualTo(new ContainerStats(1.5, 4096, 67108864L, 2, 2));
        assertThat(manager.containerOomKills(7, "abc")).isEqualTo(2);

        put(memory.getParent().resolve("memory.limit_in_bytes"), UNLIMITED + "\n");
        put(memory.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\n");

        assertThat(manager.containerStats(7, "abc")).isEqualTo(new ContainerStats(1.5, 4096, null, 2, 0));
    }

    @Test
    void aContainerMissingFromAHierarchyIsNotFound() throws IOException {
        CgroupV1Manager manager = separate("wharf");
        put(mountRoot.resolve("memory/process_api/954f/wharf/team-7/ctr-abc/memory.oom_control"), "oom_kill 0\n");
        put(mountRoot.resolve("cpuacct/wharf/team-7/ctr-abc/cpuacct.usage"), "0\n");

        assertThatThrownBy(() -> manager.containerStats(7, "abc"))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(RuntimeFailure.Kind.NOT_FOUND))
                .hasMessageContaining(mountRoot.resolve("pids/wharf/team-7/ctr-abc").toString());
        assertThat(manager.containerOomKills(7, "gone")).isZero();
    }

    @Test
    void removingAContainerVisitsEveryHierarchyRuncUses() throws IOException {
        CgroupV1Manager manager = separate("wharf");
        manager.applyTeamLimits(7, Resources.UNLIMITED);
        Path[] containers = {
                mountRoot.resolve("memory/process_api/954f/wharf/team-7/ctr-abc"), mountRoot.resolve("cpu/wharf/team-7/ctr-abc"),
                mountRoot.resolve("cpuset/wharf/team-7/ctr-abc"), mountRoot.resolve("systemd/wharf/team-7/ctr-abc"),
                mountRoot.resolve("unified/wharf/team-7/ctr-abc")};
        for (Path container : containers) {
            put(container.resolve("cgroup.procs"), "");
        }

        assertThat(manager.removeTeam(7)).isFalse();

        manager.removeContainer(7, "abc");

        assertThat(containers).allSatisfy(container -> assertThat(container).doesNotExist());
        assertThat(manager.removeTeam(7)).isTrue();
        assertThat(mountRoot.resolve("memory/process_api/954f/wharf/team-7")).doesNotExist();
        assertThat(mountRoot.resolve("cpuset/wharf/team-7")).doesNotExist();
        assertThat(mountRoot.resolve("pids/wharf")).as("the root stays").isEmptyDirectory();
    }

    @Test
    void theTeamStaysEverywhereWhileOneHierarchyStillHoldsAContainer() throws IOException {
        CgroupV1Manager manager = separate("wharf");
        manager.applyTeamLimits(7, Resources.UNLIMITED);
        put(mountRoot.resolve("cpuset/wharf/team-7/ctr-abc/cgroup.procs"), "");

        assertThat(manager.removeTeam(7)).isFalse();
        assertThat(mountRoot.resolve("memory/process_api/954f/wharf/team-7/memory.limit_in_bytes")).exists();
    }

    @Test
    void aMissingHierarchyIsAProblemAndStopsTheLimits() throws IOException {
        CgroupV1Manager manager = separate("wharf");
        Files.delete(mountRoot.resolve("pids"));

        assertThat(manager.problems()).containsExactly(
                "cgroup v1 hierarchy " + mountRoot.resolve("pids") + " is missing: the pids controller is required");
        assertThatThrownBy(() -> manager.applyTeamLimits(7, Resources.UNLIMITED))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE));
    }

    @Test
    void aControllerAbsentFromProcSelfCgroupIsAProblem() throws IOException {
        Files.createDirectories(mountRoot.resolve("cpu,cpuacct"));
        Files.createDirectories(mountRoot.resolve("memory"));
        CgroupV1Manager manager = new CgroupV1Manager(mountRoot, Map.of("cpu,cpuacct", "/", "memory", "/"), "wharf");

        assertThat(manager.problems()).containsExactly(
                "cgroup v1 hierarchy " + mountRoot.resolve("pids") + " is missing: the pids controller is required");
    }

    @Test
    void aWellSetUpHostHasNoProblemsAndTheProbesLeaveNothingBehind() throws IOException {
        CgroupV1Manager manager = coMounted("wharf");

        assertThat(manager.problems()).isEmpty();
        assertThat(mountRoot.resolve("memory/wharf.service/wharf")).as("a check leaves the host as it found it").doesNotExist();
        assertThat(mountRoot.resolve("cpu,cpuacct/wharf.service/wharf")).doesNotExist();
        Files.createDirectories(mountRoot.resolve("memory/wharf.service/wharf"));
        assertThat(manager.problems()).isEmpty();
        assertThat(mountRoot.resolve("memory/wharf.service/wharf")).as("a root that was there stays").isEmptyDirectory();
    }
}
