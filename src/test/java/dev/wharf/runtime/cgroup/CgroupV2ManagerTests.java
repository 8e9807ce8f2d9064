package dev.wharf.runtime.cgroup;

import static dev.wharf.runtime.cgroup.TestFiles.content;
import static dev.wharf.runtime.cgroup.TestFiles.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.ContainerStats;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.RuntimeFailure;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A temporary tree stands in for /sys/fs/cgroup; Wharf runs in /system.slice/wharf.service. */
class CgroupV2ManagerTests {

    static final long MI = 1024 * 1024;
    static final String SERVICE = "/system.slice/wharf.service";

    @TempDir
    Path mountRoot;
    Path service;

    @BeforeEach
    void aUnifiedHierarchyWithAnEmptyServiceCgroup() {
        put(mountRoot.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        service = mountRoot.resolve("system.slice/wharf.service");
        put(service.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        put(service.resolve("cgroup.procs"), "");
    }

    CgroupV2Manager manager(String root) {
        return new CgroupV2Manager(mountRoot, SERVICE, root);
    }

    @Test
    void unlimitedTeamGetsMaxEverywhereAndControllersDownThePath() {
        manager("wharf").applyTeamLimits(3, Resources.UNLIMITED);

        Path team = service.resolve("wharf/team-3");
        assertThat(content(team.resolve("memory.max"))).isEqualTo("max");
        assertThat(content(team.resolve("cpu.max"))).isEqualTo("max 100000");
        assertThat(content(team.resolve("pids.max"))).isEqualTo("max");
        assertThat(team.resolve("memory.swap.max")).as("written only where the kernel offers it").doesNotExist();
        for (Path dir : new Path[] {service, service.resolve("wharf"), team}) {
            assertThat(content(dir.resolve("cgroup.subtree_control"))).as(dir.toString()).isEqualTo("+cpu +memory +pids");
        }
        assertThat(mountRoot.resolve("cgroup.subtree_control")).as("above Wharf's own cgroup").doesNotExist();
        assertThat(service.resolve(CgroupV2Manager.SUPERVISOR)).as("no processes to move").doesNotExist();
    }

    @Test
    void limitedTeamGetsItsQuotaAndNoSwapThenUnlimitedAgain() {
        Path team = service.resolve("wharf/team-3");
        put(team.resolve("memory.swap.max"), "max\n");
        CgroupV2Manager manager = manager("wharf");

        manager.applyTeamLimits(3, new Resources(1.5, 256 * MI, 100L));

        assertThat(content(team.resolve("memory.max"))).isEqualTo("268435456");
        assertThat(content(team.resolve("memory.swap.max"))).isEqualTo("0");
        assertThat(content(team.resolve("cpu.max"))).isEqualTo("150000 100000");
        assertThat(content(team.resolve("pids.max"))).isEqualTo("100");

        manager.applyTeamLimits(3, Resources.UNLIMITED);

        assertThat(content(team.resolve("memory.max"))).isEqualTo("max");
        assertThat(content(team.resolve("memory.swap.max"))).isEqualTo("max");
        assertThat(content(team.resolve("cpu.max"))).isEqualTo("max 100000");
    }

    @Test
    void processesOfTheOwnCgroupMoveToASupervisorLeafBeforeControllersAreEnabled() {
        put(service.resolve("cgroup.procs"), "4242\n");

        manager("wharf").applyTeamLimits(3, Resources.UNLIMITED);

        assertThat(content(service.resolve("supervisor/cgroup.procs"))).isEqualTo("4242");
        assertThat(service.resolve("supervisor/cgroup.subtree_control")).as("the leaf enables nothing").doesNotExist();
        assertThat(content(service.resolve("cgroup.subtree_control"))).isEqualTo("+cpu +memory +pids");
    }

    @Test
    void theSupervisorLeafIsNotMistakenForTheOwnCgroup() {
        CgroupV2Manager manager = new CgroupV2Manager(mountRoot, SERVICE + "/supervisor", "wharf");

        assertThat(manager.containerCgroupsPath(3, "abc")).isEqualTo(SERVICE + "/wharf/team-3/ctr-abc");
    }

    @Test
    void anAbsoluteRootStartsAtTheRootCgroupAndMovesNoProcesses() {
        put(service.resolve("cgroup.procs"), "4242\n");

        manager("/wharf").applyTeamLimits(3, Resources.UNLIMITED);

        for (Path dir : new Path[] {mountRoot, mountRoot.resolve("wharf"), mountRoot.resolve("wharf/team-3")}) {
            assertThat(content(dir.resolve("cgroup.subtree_control"))).as(dir.toString()).isEqualTo("+cpu +memory +pids");
        }
        assertThat(service.resolve(CgroupV2Manager.SUPERVISOR)).doesNotExist();
    }

    @Test
    void containerCgroupsPathIsAlwaysAbsolute() {
        assertThat(manager("wharf").containerCgroupsPath(3, "abc")).isEqualTo("/system.slice/wharf.service/wharf/team-3/ctr-abc");
        assertThat(manager("/wharf").containerCgroupsPath(3, "abc")).isEqualTo("/wharf/team-3/ctr-abc");
        assertThat(new CgroupV2Manager(mountRoot, "/", "wharf").containerCgroupsPath(3, "abc")).isEqualTo("/wharf/team-3/ctr-abc");
    }

    @Test
    void refusesIdsThatWouldLeaveTheTree() {
        CgroupV2Manager manager = manager("wharf");

        assertThatThrownBy(() -> manager.containerCgroupsPath(3, "../../x"))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT));
        assertThatThrownBy(() -> manager.containerCgroupsPath(0, "abc")).isInstanceOf(RuntimeFailure.class);
        assertThatThrownBy(() -> new CgroupV2Manager(mountRoot, SERVICE, "../wharf")).isInstanceOf(RuntimeFailure.class);
    }

    @Test
    void statsComeFromTheContainerFilesAndTheTeamLimit() {
        Path container = service.resolve("wharf/team-3/ctr-abc");
        put(container.resolve("cpu.stat"), "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n");
        put(container.resolve("memory.current"), "1048576\n");
        put(container.resolve("memory.max"), "max\n");
        put(container.getParent().resolve("memory.max"), "268435456\n");
        put(container.resolve("pids.current"), "3\n");
        put(container.resolve("memory.events"), "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\noom_group_kill 0\n");

        ContainerStats stats = manager("wharf").containerStats(3, "abc");

        assertThat(stats).isEqualTo(new ContainerStats(2.5, 1048576, 268435456L, 3, 1));
        assertThat(manager("wharf").containerOomKills(3, "abc")).isEqualTo(1);
    }

    @Test
    void statsOfAContainerWithoutAnyLimitHaveNoMemoryLimit() {
        Path container = service.resolve("wharf/team-3/ctr-abc");
        put(container.resolve("cpu.stat"), "usage_usec 0\n");
        put(container.resolve("memory.current"), "0\n");
        put(container.resolve("memory.max"), "max\n");
        put(container.getParent().resolve("memory.max"), "max\n");
        put(container.resolve("pids.current"), "0\n");
        put(container.resolve("memory.events"), "oom 0\n");

        assertThat(manager("wharf").containerStats(3, "abc")).isEqualTo(new ContainerStats(0, 0, null, 0, 0));
    }

    @Test
    void aContainerWithoutCgroupIsNotFoundAndHasNoOomKills() {
        CgroupV2Manager manager = manager("wharf");

        assertThatThrownBy(() -> manager.containerStats(3, "gone"))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(RuntimeFailure.Kind.NOT_FOUND));
        assertThat(manager.containerOomKills(3, "gone")).isZero();
    }

    @Test
    void theTeamStaysWhileAContainerCgroupIsLeft() {
        CgroupV2Manager manager = manager("wharf");
        manager.applyTeamLimits(3, Resources.UNLIMITED);
        Path team = service.resolve("wharf/team-3");
        put(team.resolve("ctr-abc/memory.current"), "0\n");

        assertThat(manager.removeTeam(3)).isFalse();
        assertThat(team.resolve("memory.max")).exists();

        manager.removeContainer(3, "abc");
        manager.removeContainer(3, "abc");

        assertThat(team.resolve("ctr-abc")).doesNotExist();
        assertThat(manager.removeTeam(3)).isTrue();
        assertThat(team).doesNotExist();
        assertThat(manager.removeTeam(3)).as("already gone").isTrue();
    }

    @Test
    void aMissingControllerIsAProblemAndNoLimitsAreWritten() {
        put(service.resolve("cgroup.controllers"), "cpuset cpu io memory\n");
        CgroupV2Manager manager = manager("wharf");

        assertThat(manager.problems()).containsExactly(
                "cgroup v2 controller pids is not available in " + service.resolve("cgroup.controllers"));
        assertThatThrownBy(() -> manager.applyTeamLimits(3, Resources.UNLIMITED))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE))
                .hasMessageContaining("controller pids is not available");
        assertThat(service.resolve("wharf/team-3")).doesNotExist();
    }

    @Test
    void aWellSetUpHostHasNoProblemsAndTheProbeLeavesNothingBehind() {
        CgroupV2Manager manager = manager("wharf");

        assertThat(manager.problems()).isEmpty();
        assertThat(service.resolve("wharf")).as("a check leaves the host as it found it").doesNotExist();
    }
}
