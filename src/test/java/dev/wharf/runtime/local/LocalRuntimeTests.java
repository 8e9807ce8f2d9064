package dev.wharf.runtime.local;

import static org.awaitility.Awaitility.await;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.process.Executables;
import dev.wharf.runtime.RuntimeServiceContractTests;
import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.ContainerStats;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.testing.BusyboxRootfs;
import dev.wharf.testing.WorkDirs;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRuntimes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The in-process runtime on this host's kernel: real runc + conmon containers, checked from the
 * host side (namespaces, uids, cgroup files, OOM kills). Needs root; runs for real in CI.
 */
@Tag("root")
class LocalRuntimeTests extends RuntimeServiceContractTests {

    static final String CGROUP_ROOT = "wharf-test-" + UUID.randomUUID().toString().substring(0, 8);
    static Path dataDir;
    static Path rootfs;
    static RuntimeSettings settings;
    static LocalRuntime runtime;

    @BeforeAll
    static void openRuntime() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Prerequisites.require(root, "the runtime tests need root");
        Prerequisites.require(Executables.find("runc").isPresent() && Executables.find("conmon").isPresent(),
                "runc and conmon are not installed");
        Prerequisites.require(BusyboxRootfs.available(), "busybox-static is not installed");
        dataDir = WorkDirs.create("wharf-runtime-test-");
        rootfs = BusyboxRootfs.create(Files.createDirectories(dataDir.resolve("busybox")));
        settings = TestRuntimes.settings(dataDir.resolve("node"), CGROUP_ROOT, 1_000_000, java.util.Set.of());
        runtime = LocalRuntime.open(settings, Clock.systemUTC());
        assertThat(runtime.status().problems()).isEmpty();
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (runtime != null) {
            TestRuntimes.removeAll(runtime);
            runtime.close();
        }
        TestCgroups.removeTree(CGROUP_ROOT);
        if (dataDir != null) {
            WorkDirs.delete(dataDir);
        }
    }

    static Path cgroupDir(String controller, long team, String containerId) throws IOException {
        Path dir = Path.of("/sys/fs/cgroup", controller).resolve(TestCgroups.own().get(controller).substring(1)).resolve(CGROUP_ROOT)
                .resolve("team-" + team);
        return containerId == null ? dir : dir.resolve("ctr-" + containerId);
    }

    static String read(Path file) throws IOException {
        return Files.readString(file).strip();
    }

    @Override
    protected RuntimeService runtime() {
        return runtime;
    }

    @Override
    protected Path rootfs() {
        return rootfs;
    }

    /** The container's status as runc itself reports it ({@code runc state}). */
    static String runcStatus(String id) throws Exception {
        Process state = new ProcessBuilder("runc", "--root", settings.dataDir().toAbsolutePath().resolve("runc").toString(), "state", id)
                .redirectErrorStream(true).start();
        String out = new String(state.getInputStream().readAllBytes());
        state.waitFor();
        java.util.regex.Matcher status = java.util.regex.Pattern.compile("\"status\":\\s*\"(\\w+)\"").matcher(out);
        return status.find() ? status.group(1) : out;
    }

    @Test
    void aStartedContainerRunsForRuncTooAndAStartWhoseInitDiedFailsClearly() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerInfo running = run(teamA, Resources.UNLIMITED, "/bin/sleep", "300");
        assertThat(runcStatus(running.id())).isEqualTo("running");
        assertThat(read(Path.of("/proc", String.valueOf(running.pid()), "cmdline")).replace('\0', ' ')).startsWith("/bin/sleep 300");
        assertThatThrownBy(() -> runtime.start(running.id())).isInstanceOf(RuntimeFailure.class);

        ContainerInfo waiting = runtime.create(spec(teamA, List.of("/bin/sleep", "300"), Resources.UNLIMITED));
        created.add(waiting.id());
        assertThat(runcStatus(waiting.id())).isEqualTo("created");
        new ProcessBuilder("kill", "-KILL", String.valueOf(waiting.pid())).start().waitFor(); // runc's init, waiting to be started
        long begin = System.nanoTime();
        assertThatThrownBy(() -> runtime.start(waiting.id())).isInstanceOf(RuntimeFailure.class).hasMessageContaining("start");
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(5));
        runtime.remove(waiting.id(), true);
        created.remove(waiting.id());
    }

    @Test
    void containersGetTheirOwnNamespacesAndTheTeamsUidRange() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        runtime.applyTeamLimits(new TeamLimits(teamB, Resources.UNLIMITED));
        ContainerInfo a = run(teamA, Resources.UNLIMITED, "/bin/sleep", "300");
        ContainerInfo b = run(teamB, Resources.UNLIMITED, "/bin/sleep", "300");
        for (String ns : List.of("pid", "mnt", "uts", "ipc", "net", "cgroup", "user")) {
            assertThat(Files.readSymbolicLink(Path.of("/proc", String.valueOf(a.pid()), "ns", ns)))
                    .as(ns + " namespace").isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns", ns)));
        }
        IdMapping idsA = IdMapping.forTeam(teamA, 1_000_000);
        IdMapping idsB = IdMapping.forTeam(teamB, 1_000_000);
        assertThat(hostUid(a.pid())).isEqualTo(idsA.hostBase());
        assertThat(hostUid(b.pid())).isEqualTo(idsB.hostBase());
        assertThat(idsA.hostBase() + idsA.size()).isLessThanOrEqualTo(idsB.hostBase());
        assertThat(read(Path.of("/proc", String.valueOf(a.pid()), "uid_map"))).matches("0\\s+" + idsA.hostBase() + "\\s+65536");
        // inside, the process is root and sees its own files as root's
        assertThat(runtime.exec(a.id(), dev.wharf.runtime.api.ExecSpec.of("/bin/sh", "-c", "id -u; stat -c %u /bin/busybox")).stdout())
                .isEqualTo("0\n0\n");
    }

    private static long hostUid(int pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("Uid:")) {
                return Long.parseLong(line.split("\\s+")[1]);
            }
        }
        throw new AssertionError("no Uid line");
    }

    @Test
    void limitsAreWrittenToTheContainerAndTeamCgroups() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamA, new Resources(1.5, 512 * MiB, 200L)));
        ContainerInfo info = run(teamA, new Resources(0.5, 64 * MiB, 50L), "/bin/sleep", "300");
        assertThat(read(cgroupDir("memory", teamA, null).resolve("memory.limit_in_bytes"))).isEqualTo(String.valueOf(512 * MiB));
        assertThat(read(cgroupDir("cpu", teamA, null).resolve("cpu.cfs_quota_us"))).isEqualTo("150000");
        assertThat(read(cgroupDir("pids", teamA, null).resolve("pids.max"))).isEqualTo("200");
        assertThat(read(cgroupDir("memory", teamA, info.id()).resolve("memory.limit_in_bytes"))).isEqualTo(String.valueOf(64 * MiB));
        assertThat(read(cgroupDir("cpu", teamA, info.id()).resolve("cpu.cfs_quota_us"))).isEqualTo("50000");
        assertThat(read(cgroupDir("pids", teamA, info.id()).resolve("pids.max"))).isEqualTo("50");
        String memoryLine = Files.readAllLines(Path.of("/proc", String.valueOf(info.pid()), "cgroup")).stream()
                .filter(l -> l.contains(":memory:")).findFirst().orElseThrow();
        assertThat(memoryLine).endsWith("/" + CGROUP_ROOT + "/team-" + teamA + "/ctr-" + info.id());
        ContainerStats stats = runtime.stats(info.id());
        assertThat(stats.memoryLimitBytes()).isEqualTo(64 * MiB);
        assertThat(stats.pids()).isGreaterThanOrEqualTo(1);
        assertThat(stats.memoryBytes()).isPositive();

        runtime.applyTeamLimits(new TeamLimits(teamA, new Resources(1.0, 256 * MiB, 100L)));
        assertThat(read(cgroupDir("memory", teamA, null).resolve("memory.limit_in_bytes"))).isEqualTo(String.valueOf(256 * MiB));
        assertThat(read(cgroupDir("pids", teamA, null).resolve("pids.max"))).isEqualTo("100");
    }

    @Test
    void aProcessPastItsMemoryLimitIsOomKilledAndReportedSo() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        List<RuntimeEvent> events = new CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = runtime.subscribe(events::add)) {
            ContainerInfo info = run(teamA, new Resources(null, 32 * MiB, null), "/bin/sh", "-c",
                    "head -c 200000000 /dev/zero | tail -c 200000000 > /dev/null");
            ContainerInfo exited = awaitExit(info.id(), Duration.ofSeconds(60));
            assertThat(exited.exitCode()).isEqualTo(137);
            assertThat(exited.oomKilled()).isTrue();
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(events).contains(new RuntimeEvent.ContainerOomKilled(info.id(), exited.finishedAt())));
        }
    }

    @Test
    void aForkBombStopsAtThePidsLimitAndTheHostStaysFine() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        // the inner shell forks until the kernel refuses; the outer one then becomes a sleep (exec: no fork needed)
        ContainerInfo info = run(teamA, new Resources(null, null, 16L), "/bin/sh", "-c",
                "/bin/sh -c 'for i in $(seq 1 100); do sleep 30 & done'; exec sleep 30");
        Thread.sleep(2000);
        ContainerStats stats = runtime.stats(info.id());
        assertThat(stats.pids()).isBetween(8L, 16L);
        assertThat(runtime.inspect(info.id()).state()).isEqualTo(ContainerState.RUNNING);
        assertThat(read(cgroupDir("pids", teamA, info.id()).resolve("pids.current"))).isEqualTo(String.valueOf(stats.pids()));
        assertThat(logText(info.id())).contains("can't fork");
        Process host = new ProcessBuilder("true").start();
        assertThat(host.waitFor()).isZero();
    }

    @Test
    void theTeamMemoryLimitHoldsTwoContainersTogether() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamB, new Resources(null, 48 * MiB, null)));
        String hog = "head -c 30000000 /dev/zero | tail -c 30000000 | sleep 60";
        ContainerInfo first = run(teamB, new Resources(null, 40 * MiB, null), "/bin/sh", "-c", hog);
        ContainerInfo second = run(teamB, new Resources(null, 40 * MiB, null), "/bin/sh", "-c", hog);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long kills = 0;
        while (kills == 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            kills = runtime.stats(first.id()).oomKills() + runtime.stats(second.id()).oomKills();
        }
        assertThat(kills).as("each container is under its own 40Mi, but together they pass the team's 48Mi").isPositive();
        long teamUsage = Long.parseLong(read(cgroupDir("memory", teamB, null).resolve("memory.max_usage_in_bytes")));
        assertThat(teamUsage).isLessThanOrEqualTo(48 * MiB);
    }

    @Test
    void aRestartedRuntimeKeepsContainersRunningAndReportsTheirExit() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerInfo info = run(teamA, Resources.UNLIMITED, "/bin/sleep", "300");
        runtime.close();
        runtime = LocalRuntime.open(settings, Clock.systemUTC());
        ContainerInfo found = runtime.inspect(info.id());
        assertThat(found.state()).isEqualTo(ContainerState.RUNNING);
        assertThat(found.pid()).isEqualTo(info.pid());
        assertThat(Files.exists(Path.of("/proc", String.valueOf(info.pid())))).isTrue();
        List<RuntimeEvent> events = new CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = runtime.subscribe(events::add)) {
            runtime.kill(info.id(), "KILL");
            ContainerInfo exited = awaitExit(info.id(), Duration.ofSeconds(20));
            assertThat(exited.exitCode()).isEqualTo(137);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(events).anyMatch(e -> e instanceof RuntimeEvent.ContainerExited x && x.containerId().equals(info.id())));
        }
    }

    @Test
    void aFailedCreateLeavesNothingBehind() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerSpec broken = spec(teamA, List.of("/bin/does-not-exist"), new Resources(null, 64 * MiB, null));
        assertThatThrownBy(() -> runtime.create(broken)).isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining("create " + broken.id()).hasMessageContaining("does-not-exist");
        assertThat(runtime.list()).noneMatch(c -> c.id().equals(broken.id()));
        assertThat(dataDir.resolve("node/containers").resolve(broken.id())).doesNotExist();
        assertThat(dataDir.resolve("node/runc").resolve(broken.id())).doesNotExist();
        assertThat(cgroupDir("memory", teamA, broken.id())).doesNotExist();
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(broken.id());
        // and the next container is fine
        ContainerInfo ok = run(teamA, Resources.UNLIMITED, "/bin/true");
        assertThat(awaitExit(ok.id(), Duration.ofSeconds(20)).exitCode()).isZero();
    }

    @Test
    void theLogFileStaysUnderItsSizeCap() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerInfo info = run(teamA, Resources.UNLIMITED, "/bin/sh", "-c", "yes wharf | head -n 60000; echo the-end");
        awaitExit(info.id(), Duration.ofSeconds(30));
        long size = Files.size(runtime.dataDirOf(info.id()).resolve("ctr.log"));
        assertThat(size).as("log capped at 1 MiB (settings.logMaxBytes)").isLessThanOrEqualTo(1024 * 1024 + 4096);
        assertThat(logText(info.id())).endsWith("STDOUT:the-end");
    }

    @Test
    void aVolumeKeepsFilesAcrossContainersAndCannotGoWhileMounted() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        String name = "data-" + UUID.randomUUID().toString().substring(0, 6);
        runtime.createVolume(teamA, name, 1024 * 1024);
        ContainerSpec writer = new ContainerSpec("w" + UUID.randomUUID().toString().replace("-", "").substring(0, 12), "writer-" + name,
                teamA, new dev.wharf.runtime.api.Rootfs.Directory(rootfs), List.of("/bin/sh", "-c", "head -c 3000 /dev/zero > /data/blob; echo kept > /data/note"),
                null, null, null, null, null, List.of(new dev.wharf.runtime.api.VolumeMount(name, "/data", false)));
        runtime.create(writer);
        runtime.start(writer.id());
        assertThat(awaitExit(writer.id(), Duration.ofSeconds(20)).exitCode()).isZero();
        runtime.remove(writer.id(), false);

        ContainerSpec reader = new ContainerSpec("r" + UUID.randomUUID().toString().replace("-", "").substring(0, 12), "reader-" + name,
                teamA, new dev.wharf.runtime.api.Rootfs.Directory(rootfs), List.of("/bin/sh", "-c", "cat /data/note; touch /data/x 2>&1; sleep 300"),
                null, null, null, null, null, List.of(new dev.wharf.runtime.api.VolumeMount(name, "/data", true)));
        runtime.create(reader);
        created.add(reader.id());
        runtime.start(reader.id());
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(logText(reader.id())).contains("STDOUT:kept").contains("Read-only file system"));
        var volume = runtime.volumes(teamA).stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
        assertThat(volume.usedBytes()).isEqualTo(3005);
        assertThat(volume.usedBy()).containsExactly(reader.id());
        assertThatThrownBy(() -> runtime.removeVolume(teamA, name)).isInstanceOf(RuntimeFailure.class).hasMessageContaining("mounted by");
        assertThat(runtime.volumes(teamB)).noneMatch(v -> v.name().equals(name));
        runtime.remove(reader.id(), true);
        runtime.removeVolume(teamA, name);
        assertThat(runtime.volumes(teamA)).noneMatch(v -> v.name().equals(name));
    }

    @Test
    void removeCleansMountsCgroupsAndState() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerInfo info = run(teamA, new Resources(null, 64 * MiB, null), "/bin/sleep", "300");
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).contains(info.id());
        runtime.remove(info.id(), true);
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(info.id());
        assertThat(dataDir.resolve("node/containers").resolve(info.id())).doesNotExist();
        assertThat(cgroupDir("memory", teamA, info.id())).doesNotExist();
        assertThat(Files.exists(Path.of("/proc", String.valueOf(info.pid())))).isFalse();
    }
}
