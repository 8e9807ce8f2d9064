package dev.wharf.runtime.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.runtime.api.ContainerStats;
import dev.wharf.runtime.api.Resources;
import dev.wharf.testing.Prerequisites;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The v1 driver against the real kernel of a cgroup v1 (or hybrid) host, under this JVM's own
 * cgroups. Everything lives under a fresh {@code wharf-test-*} root that is removed afterwards,
 * and the only process touched is the one the test starts.
 */
@Tag("root")
class CgroupV1KernelTests {

    static final Path MOUNT = Path.of("/sys/fs/cgroup");
    static final Path PROC_SELF_CGROUP = Path.of("/proc/self/cgroup");
    static final long MI = 1024 * 1024;

    final String root = "wharf-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    Map<String, String> ownPaths;
    CgroupManager manager;
    Process sleeper;

    @BeforeEach
    void aV1HostAndRoot() throws IOException {
        Prerequisites.require(effectiveUid() == 0, "the cgroup kernel tests need root");
        Assumptions.assumeTrue(Files.isDirectory(MOUNT.resolve("memory")),
                "not a cgroup v1 host: /sys/fs/cgroup/memory is absent");
        ownPaths = Cgroups.parseProcSelfCgroup(Files.readString(PROC_SELF_CGROUP));
        manager = Cgroups.detect(MOUNT, PROC_SELF_CGROUP, root);
    }

    @AfterEach
    void removeEverythingThisTestMade() throws Exception {
        if (sleeper != null) {
            sleeper.destroyForcibly();
            sleeper.waitFor(10, TimeUnit.SECONDS);
        }
        if (ownPaths == null) {
            return;
        }
        for (String controller : List.of("memory", "cpu", "cpuacct", "pids")) {
            Path wharfRoot = wharfRoot(controller);
            if (Files.isDirectory(wharfRoot)) {
                try (Stream<Path> tree = Files.walk(wharfRoot)) {
                    for (Path dir : tree.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(dir);
                    }
                }
            }
        }
    }

    @Test
    void thisHostHasNoProblems() {
        assertThat(manager.version()).isEqualTo("v1");
        assertThat(manager.problems()).isEmpty();
    }

    @Test
    void teamLimitsReachTheKernelAndCanBeRaisedAndCut() throws IOException {
        manager.applyTeamLimits(7, new Resources(0.5, 64 * MI, 50L));

        assertThat(teamFile("memory", "memory.limit_in_bytes")).isEqualTo("67108864");
        assertThat(teamFile("cpu", "cpu.cfs_period_us")).isEqualTo("100000");
        assertThat(teamFile("cpu", "cpu.cfs_quota_us")).isEqualTo("50000");
        assertThat(teamFile("pids", "pids.max")).isEqualTo("50");
        boolean swapAccounted = Files.exists(team("memory").resolve("memory.memsw.limit_in_bytes"));
        if (swapAccounted) {
            assertThat(teamFile("memory", "memory.memsw.limit_in_bytes")).isEqualTo("67108864");
        }

        manager.applyTeamLimits(7, new Resources(1.0, 128 * MI, 100L));

        assertThat(teamFile("memory", "memory.limit_in_bytes")).isEqualTo("134217728");
        assertThat(teamFile("cpu", "cpu.cfs_quota_us")).isEqualTo("100000");
        if (swapAccounted) {
            assertThat(teamFile("memory", "memory.memsw.limit_in_bytes")).isEqualTo("134217728");
        }

        manager.applyTeamLimits(7, new Resources(0.25, 32 * MI, 20L));

        assertThat(teamFile("memory", "memory.limit_in_bytes")).isEqualTo("33554432");
        assertThat(teamFile("pids", "pids.max")).isEqualTo("20");

        manager.applyTeamLimits(7, Resources.UNLIMITED);

        assertThat(Long.parseLong(teamFile("memory", "memory.limit_in_bytes"))).isGreaterThanOrEqualTo(1L << 62);
        assertThat(teamFile("cpu", "cpu.cfs_quota_us")).isEqualTo("-1");
        assertThat(teamFile("pids", "pids.max")).isEqualTo("max");
        assertThat(manager.removeTeam(7)).isTrue();
        assertThat(team("memory")).doesNotExist();
    }

    @Test
    void aProcessInAContainerCgroupShowsInItsStatsAndTheCgroupsGoAfterIt() throws Exception {
        manager.applyTeamLimits(7, new Resources(0.5, 64 * MI, 50L));
        assertThat(manager.containerCgroupsPath(7, "x")).isEqualTo(root + "/team-7/ctr-x");
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "for f; do echo $$ > \"$f\"; done; exec sleep 30", "sh"));
        for (String controller : List.of("memory", "cpuacct", "pids")) {
            Path container = Files.createDirectory(team(controller).resolve("ctr-x"));
            command.add(container.resolve("cgroup.procs").toString());
        }
        sleeper = new ProcessBuilder(command).inheritIO().start();

        ContainerStats stats = manager.containerStats(7, "x");
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                (stats.pids() < 1 || stats.memoryBytes() == 0) && System.nanoTime() < deadline; ) {
            Thread.sleep(50);
            stats = manager.containerStats(7, "x");
        }

        assertThat(stats.pids()).isGreaterThanOrEqualTo(1);
        assertThat(stats.memoryBytes()).isPositive();
        assertThat(stats.memoryLimitBytes()).as("the team's limit holds the container").isEqualTo(64 * MI);
        assertThat(manager.containerOomKills(7, "x")).isZero();
        assertThat(manager.removeTeam(7)).as("a container cgroup is left").isFalse();

        sleeper.destroyForcibly();
        assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).isTrue();
        manager.removeContainer(7, "x");

        assertThat(team("memory").resolve("ctr-x")).doesNotExist();
        assertThat(team("pids").resolve("ctr-x")).doesNotExist();
        assertThat(manager.containerOomKills(7, "x")).isZero();
        assertThat(manager.removeTeam(7)).isTrue();
        assertThat(team("cpu")).doesNotExist();
    }

    private String teamFile(String controller, String file) throws IOException {
        return Files.readString(team(controller).resolve(file)).trim();
    }

    private Path team(String controller) {
        return wharfRoot(controller).resolve("team-7");
    }

    /** The test's root in the hierarchy holding {@code controller}, under this JVM's own cgroup there. */
    private Path wharfRoot(String controller) {
        Map.Entry<String, String> hierarchy = ownPaths.entrySet().stream()
                .filter(own -> List.of(own.getKey().split(",")).contains(controller))
                .findFirst().orElseThrow();
        return CgroupFiles.under(MOUNT.resolve(hierarchy.getKey()), hierarchy.getValue()).resolve(root);
    }

    private static int effectiveUid() throws IOException {
        String uids = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("Uid:")).findFirst().orElseThrow();
        return Integer.parseInt(uids.split("\\s+")[2]);
    }
}
