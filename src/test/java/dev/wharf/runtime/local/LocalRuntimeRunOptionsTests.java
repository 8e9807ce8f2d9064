package dev.wharf.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.LogLine;
import dev.wharf.runtime.api.LogQuery;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RunOptions;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.api.TmpfsMount;
import dev.wharf.runtime.api.VolumeMount;
import dev.wharf.runtime.content.Digests;
import dev.wharf.runtime.process.Executables;
import dev.wharf.testing.BusyboxRootfs;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRuntimes;
import dev.wharf.testing.WorkDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A container's run options on this host's kernel: an init as PID 1 (reaping, forwarding the stop
 * signal, its binary out of the container's reach), tmpfs mounts (size, mode, flags, charged to
 * the container's memory), a read-only root, and the stop signal and timeout. Everything is read
 * back from the host ({@code /proc/<pid>/mountinfo}, the processes of the container's pid
 * namespace) or from what the container wrote. Needs root; runs for real in CI.
 */
@Tag("root")
class LocalRuntimeRunOptionsTests {

    static final String CGROUP_ROOT = "wharf-test-" + UUID.randomUUID().toString().substring(0, 8);
    static final long TEAM = 64_000 + (long) (Math.random() * 1_000);
    static final long MiB = 1 << 20;
    static Path work;
    static Path rootfs;
    /** the runtime's init: a copy of tini-static the tests may take away */
    static Path init;
    static LocalRuntime runtime;
    final List<String> created = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void openRuntime() throws Exception {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "the runtime tests need root");
        Prerequisites.require(Executables.find("runc").isPresent() && Executables.find("conmon").isPresent(),
                "runc and conmon are not installed");
        Prerequisites.require(BusyboxRootfs.available(), "busybox-static is not installed");
        Prerequisites.require(Files.isExecutable(Path.of(RuntimeSettings.DEFAULT_INIT)), "tini is not installed");
        work = WorkDirs.create("wharf-run-options-test-");
        rootfs = BusyboxRootfs.create(Files.createDirectories(work.resolve("busybox")));
        init = work.resolve("tini-static");
        Files.copy(Path.of(RuntimeSettings.DEFAULT_INIT), init);
        runtime = LocalRuntime.open(TestRuntimes.withInit(TestRuntimes.settings(work.resolve("node"), CGROUP_ROOT, 1_000_000, Set.of()),
                init), Clock.systemUTC());
        runtime.applyTeamLimits(new TeamLimits(TEAM, Resources.UNLIMITED));
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (runtime != null) {
            TestRuntimes.removeAll(runtime);
            for (var volume : runtime.volumes(TEAM)) {
                runtime.removeVolume(TEAM, volume.name());
            }
            runtime.close();
        }
        TestCgroups.removeTree(CGROUP_ROOT);
        if (work != null) {
            WorkDirs.delete(work);
        }
    }

    @AfterEach
    void removeContainers() {
        TestRuntimes.remove(runtime, created);
    }

    private ContainerSpec spec(RunOptions options, Resources resources, List<VolumeMount> volumes, String stopSignal, String script) {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        return new ContainerSpec(id, "o-" + id.substring(0, 6), TEAM, new Rootfs.Directory(rootfs), List.of("/bin/sh", "-c", script),
                Map.of(), null, null, resources, stopSignal, volumes, null, options);
    }

    private ContainerInfo run(ContainerSpec spec) {
        ContainerInfo info = runtime.create(spec);
        created.add(info.id());
        return runtime.start(info.id());
    }

    private ContainerInfo run(RunOptions options, String script) {
        return run(spec(options, null, List.of(), null, script));
    }

    private static RunOptions withInit() {
        return new RunOptions(true, List.of(), false, null);
    }

    private static ContainerInfo awaitExit(String id, Duration timeout) {
        return await("container " + id + " exited").atMost(timeout).pollInterval(Duration.ofMillis(20))
                .until(() -> runtime.inspect(id), info -> info.state() == ContainerState.EXITED);
    }

    private static String logText(String id) {
        try (Stream<LogLine> lines = runtime.logs(id, LogQuery.ALL)) {
            return lines.map(LogLine::text).collect(Collectors.joining("\n"));
        }
    }

    private static String awaitLog(String id, String text) {
        return await("log of " + id + " shows " + text).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> logText(id), log -> log.contains(text));
    }

    private static ExecResult sh(String id, String script) {
        return runtime.exec(id, ExecSpec.of("/bin/sh", "-c", script));
    }

    /** {@code "state command"} of every process in the pid namespace whose init is {@code pid}, read from the host's /proc. */
    private static List<String> processesInNamespaceOf(int pid) throws IOException {
        Path namespace = Files.readSymbolicLink(Path.of("/proc", String.valueOf(pid), "ns", "pid"));
        List<String> found = new ArrayList<>();
        try (Stream<Path> all = Files.list(Path.of("/proc"))) {
            for (Path process : all.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (Files.readSymbolicLink(process.resolve("ns/pid")).equals(namespace)) {
                        String stat = Files.readString(process.resolve("stat"));
                        found.add(stat.charAt(stat.lastIndexOf(')') + 2) + " " + stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
                    }
                } catch (IOException gone) {
                    // ended meanwhile
                }
            }
        }
        return found;
    }

    /** The mountinfo line of {@code target} in the container's mount namespace, as the host reads it. */
    private static String mountOf(int pid, String target) throws IOException {
        return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "mountinfo")).stream()
                .filter(line -> line.split(" ")[4].equals(target)).reduce((first, last) -> last)
                .orElseThrow(() -> new AssertionError("nothing is mounted at " + target));
    }

    /** Script: an orphan (its parent exits at once) that ends after a second, then PID 1's command sleeps without reaping. */
    private static final String ORPHAN_THEN_SLEEP = "(sh -c 'sleep 1 &'); exec sleep 300";

    @Test
    void anInitIsPid1AndReapsAnOrphanThatExits() throws Exception {
        ContainerInfo info = run(withInit(), ORPHAN_THEN_SLEEP);

        assertThat(commandLine(info.pid(), "/dev/init")).isEqualTo("/dev/init -- /bin/sh -c " + ORPHAN_THEN_SLEEP + " ");
        assertThat(sh(info.id(), "tr '\\0' ' ' < /proc/1/cmdline").stdout()).startsWith("/dev/init -- /bin/sh");
        assertThat(processesInNamespaceOf(info.pid())).contains("S init", "S sleep");
        Thread.sleep(1500); // the orphan has ended
        await("the orphan is reaped").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(processesInNamespaceOf(info.pid())).noneMatch(p -> p.startsWith("Z")).hasSize(2));
    }

    @Test
    void withoutInitTheCommandIsPid1AndAnOrphanThatExitsStaysAZombie() throws Exception {
        ContainerInfo info = run(RunOptions.DEFAULT, ORPHAN_THEN_SLEEP);

        assertThat(commandLine(info.pid(), "sleep 300")).startsWith("sleep 300");
        assertThat(mountsOf(info.pid())).noneMatch(line -> line.split(" ")[4].equals("/dev/init"));
        await("the orphan ends and nobody reaps it").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(processesInNamespaceOf(info.pid())).contains("Z sleep"));
    }

    /** PID 1's command line once it is no longer runc's own init (which execs the container's process). */
    private static String commandLine(int pid, String start) {
        return await("pid " + pid + " runs " + start).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> Files.readString(Path.of("/proc", String.valueOf(pid), "cmdline")).replace('\0', ' '), c -> c.startsWith(start));
    }

    private static List<String> mountsOf(int pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "mountinfo"));
    }

    @Test
    void theStopSignalReachesTheCommandThroughTheInit() {
        // a stop signals the init alone; only its forwarding can reach the command's trap
        ContainerInfo info = run(withInit(), "trap 'echo command got TERM; exit 42' TERM; echo ready; while true; do sleep 0.1; done");
        awaitLog(info.id(), "ready");

        long begin = System.nanoTime();
        ContainerInfo stopped = runtime.stop(info.id(), Duration.ofSeconds(20));

        assertThat(Duration.ofNanos(System.nanoTime() - begin)).as("ended by the forwarded signal, not the kill").isLessThan(Duration.ofSeconds(5));
        assertThat(stopped.exitCode()).as("the init exits with its command's code").isEqualTo(42);
        assertThat(logText(info.id())).contains("command got TERM");
    }

    @Test
    void theInitIsAReadOnlyNosuidNodevBindTheContainerCannotChange() throws Exception {
        String before = Digests.sha256(Files.readAllBytes(init));
        ContainerInfo info = run(withInit(), "exec sleep 300");

        String mount = mountOf(info.pid(), "/dev/init");
        assertThat(mount.split(" ")[5].split(",")).contains("ro", "nosuid", "nodev");
        ExecResult attack = sh(info.id(), "echo owned > /dev/init; echo write=$?; mount -o remount,rw /dev/init; echo remount=$?;"
                + " umount /dev/init; echo umount=$?; rm -f /dev/init; echo rm=$?; cat /dev/init > /dev/null && echo readable");
        assertThat(attack.stdout()).doesNotContain("write=0", "remount=0", "umount=0", "rm=0").contains("readable");
        assertThat(Digests.sha256(Files.readAllBytes(init))).isEqualTo(before);
        assertThat(Files.getAttribute(init, "unix:uid")).isEqualTo(0);
        assertThat(mountOf(info.pid(), "/dev/init")).as("still mounted as it was").isEqualTo(mount);
    }

    @Test
    void withoutItsInitOnlyContainersThatAskForOneAreRefusedAndTheStatusSaysWhichPackage() throws Exception {
        Path away = work.resolve("tini-away");
        Files.move(init, away);
        try {
            assertThat(runtime.status().ready()).isTrue();
            assertThat(runtime.status().problems()).singleElement().asString().contains("tini package", "init: true");
            ContainerSpec spec = spec(withInit(), null, List.of(), null, "exec sleep 300");
            assertThatThrownBy(() -> runtime.create(spec)).isInstanceOf(RuntimeFailure.class).hasMessageContaining("tini package")
                    .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE));
            assertThat(runtime.list()).noneMatch(c -> c.id().equals(spec.id()));
            assertThat(work.resolve("node/containers").resolve(spec.id())).doesNotExist();
            ContainerInfo plain = run(RunOptions.DEFAULT, "echo without init");
            assertThat(awaitExit(plain.id(), Duration.ofSeconds(15)).exitCode()).isZero();

            Files.copy(Path.of("/usr/bin/tini"), init); // dynamically linked: would not run in an image without libc
            assertThat(runtime.status().problems()).singleElement().asString().contains("not a statically linked");
        } finally {
            Files.move(away, init, StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(runtime.status().problems()).as("installed again: no restart needed").isEmpty();
        assertThat(run(withInit(), "exec sleep 300").state()).isEqualTo(ContainerState.RUNNING);
    }

    @Test
    void aTmpfsIsMountedWithItsSizeModeAndFlagsAndWritesPastItFailWithNoSpace() throws Exception {
        ContainerInfo info = run(spec(new RunOptions(false, List.of(new TmpfsMount("/scratch", MiB)), false, null), null, List.of(),
                null, "exec sleep 300"));

        String mount = mountOf(info.pid(), "/scratch");
        assertThat(mount.split(" - ")[1]).startsWith("tmpfs tmpfs ").contains("size=1024k");
        assertThat(mount.split(" ")[5].split(",")).contains("rw", "nosuid", "nodev");
        Path scratch = Path.of("/proc", String.valueOf(info.pid()), "root/scratch");
        assertThat((int) Files.getAttribute(scratch, "unix:mode") & 07777).as("sticky and writable by all").isEqualTo(01777);
        assertThat(sh(info.id(), "stat -c %a /scratch").stdout()).isEqualTo("1777\n");
        ExecResult full = sh(info.id(), "dd if=/dev/zero of=/scratch/fill bs=64k count=32");
        assertThat(full.exitCode()).isNotZero();
        assertThat(full.stderr()).contains("No space left on device");
        assertThat(Files.size(Path.of("/proc", String.valueOf(info.pid()), "root/scratch/fill"))).isLessThanOrEqualTo(MiB);
    }

    @Test
    void whatATmpfsHoldsCountsAgainstTheContainersMemoryAndCannotPassIt() throws Exception {
        RunOptions bigTmpfs = new RunOptions(false, List.of(new TmpfsMount("/scratch", 256 * MiB)), false, null);
        ContainerInfo counted = run(spec(bigTmpfs, new Resources(null, 64 * MiB, null), List.of(), null,
                "dd if=/dev/zero of=/scratch/fill bs=1M count=16 && echo written; exec sleep 300"));
        awaitLog(counted.id(), "written");
        assertThat(runtime.stats(counted.id()).memoryBytes()).as("16 MiB in the tmpfs are the container's").isGreaterThanOrEqualTo(16 * MiB);

        ContainerInfo greedy = run(spec(bigTmpfs, new Resources(null, 32 * MiB, null), List.of(), null,
                "dd if=/dev/zero of=/scratch/fill bs=1M count=128; echo dd exit $?; exec sleep 300"));
        ContainerInfo after = await("the write into the tmpfs ends").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> runtime.inspect(greedy.id()), c -> c.state() == ContainerState.EXITED || logText(c.id()).contains("dd exit"));
        if (after.state() == ContainerState.EXITED) {
            assertThat(after.oomKilled()).as("the kernel's OOM killer ended it").isTrue();
        } else {
            assertThat(logText(greedy.id())).doesNotContain("dd exit 0");
            assertThat(Files.size(Path.of("/proc", String.valueOf(after.pid()), "root/scratch/fill")))
                    .as("the tmpfs holds no more than the memory limit").isLessThanOrEqualTo(32 * MiB);
            assertThat(runtime.stats(greedy.id()).memoryBytes()).isLessThanOrEqualTo(32 * MiB);
        }
    }

    @Test
    void aReadOnlyRootRefusesWritesWhileVolumesTmpfsAndTheNameFilesWork() throws Exception {
        String volume = "ro-" + UUID.randomUUID().toString().substring(0, 6);
        runtime.createVolume(TEAM, volume, 4 * MiB);
        ContainerInfo info = run(spec(new RunOptions(false, List.of(new TmpfsMount("/scratch", MiB)), true, null), null,
                List.of(new VolumeMount(volume, "/data", false)), null, "exec sleep 300"));

        assertThat(mountOf(info.pid(), "/").split(" ")[5].split(",")).contains("ro");
        for (String path : List.of("/", "/etc", "/tmp", "/bin")) {
            ExecResult write = sh(info.id(), "echo x > " + path + "/written");
            assertThat(write.exitCode()).as("write to " + path).isNotZero();
            assertThat(write.stderr()).as("write to " + path).contains("Read-only file system");
        }
        ExecResult writable = sh(info.id(), "echo on-volume > /data/f && echo on-tmpfs > /scratch/f && echo on-shm > /dev/shm/f"
                + " && cat /data/f /scratch/f /dev/shm/f && hostname && grep -c localhost /etc/hosts");
        assertThat(writable.stderr()).isEmpty();
        assertThat(writable.stdout()).isEqualTo("on-volume\non-tmpfs\non-shm\n" + info.name() + "\n2\n");
        assertThat(Files.readString(Path.of("/proc", String.valueOf(info.pid()), "root/data/f"))).isEqualTo("on-volume\n");
        assertThat(runtime.writableBytes(info.id())).as("nothing reached the container's own layer").isZero();

        runtime.remove(info.id(), true);
        runtime.removeVolume(TEAM, volume);
    }

    @Test
    void theSpecsStopSignalIsWhatAStopSends() {
        ContainerInfo info = run(spec(RunOptions.DEFAULT, null, List.of(), "SIGUSR1",
                "trap 'echo got USR1; exit 7' USR1; trap 'echo got TERM; exit 15' TERM; echo ready; while true; do sleep 0.1; done"));
        awaitLog(info.id(), "ready");

        ContainerInfo stopped = runtime.stop(info.id(), Duration.ofSeconds(20));

        assertThat(stopped.exitCode()).isEqualTo(7);
        assertThat(logText(info.id())).contains("got USR1").doesNotContain("got TERM");
    }

    @Test
    void aProcessThatIgnoresTheStopSignalIsKilledWhenTheTimeoutRunsOut() {
        for (RunOptions options : List.of(RunOptions.DEFAULT, withInit())) {
            ContainerInfo info = run(options, "trap '' TERM; echo ready; while true; do sleep 0.1; done");
            awaitLog(info.id(), "ready");

            long begin = System.nanoTime();
            ContainerInfo stopped = runtime.stop(info.id(), Duration.ofSeconds(2));
            Duration took = Duration.ofNanos(System.nanoTime() - begin);

            assertThat(took).as("init " + options.init()).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(6));
            assertThat(stopped.exitCode()).as("init " + options.init()).isEqualTo(137);
        }
    }
}
