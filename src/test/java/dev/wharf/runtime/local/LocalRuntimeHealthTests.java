package dev.wharf.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.Health;
import dev.wharf.runtime.api.HealthCheck;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.NetworkSpec;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RunOptions;
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.process.Executables;
import dev.wharf.testing.BusyboxRootfs;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRuntimes;
import dev.wharf.testing.WorkDirs;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Health checks on this host's kernel: each probe is looked for from the host while it runs (its
 * cgroups, its pid namespace, its uid), one that hangs is killed with its children at the timeout,
 * probing ends with the container, and a runtime opened again keeps the health and probes on.
 * Needs root; runs for real in CI.
 */
@Tag("root")
class LocalRuntimeHealthTests {

    static final String CGROUP_ROOT = "wharf-test-" + UUID.randomUUID().toString().substring(0, 8);
    static final long TEAM = 61_207;
    static Path work;
    static RuntimeSettings settings;
    static Path busybox;
    static LocalRuntime runtime;

    @BeforeAll
    static void open() throws Exception {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "the runtime tests need root");
        Prerequisites.require(Executables.find("runc").isPresent() && Executables.find("conmon").isPresent() && BusyboxRootfs.available(),
                "runc, conmon and busybox-static are needed");
        work = WorkDirs.create("wharf-health-test-");
        busybox = BusyboxRootfs.create(Files.createDirectories(work.resolve("busybox")));
        settings = TestRuntimes.settings(work.resolve("node"), CGROUP_ROOT, 1_000_000, Set.of());
        runtime = LocalRuntime.open(settings, Clock.systemUTC());
        runtime.applyTeamLimits(new TeamLimits(TEAM, Resources.UNLIMITED));
    }

    @AfterAll
    static void close() throws IOException {
        if (runtime != null) {
            TestRuntimes.removeAll(runtime);
            runtime.close();
        }
        TestCgroups.removeTree(CGROUP_ROOT);
        if (work != null) {
            WorkDirs.delete(work);
        }
    }

    @AfterEach
    void removeContainers() {
        runtime.list().forEach(c -> runtime.remove(c.id(), true));
    }

    /** Starts {@code args} in a busybox container probed every second by {@code test}. */
    private static ContainerInfo run(List<String> args, Duration timeout, int retries, String... test) {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        ContainerInfo info = runtime.create(new ContainerSpec(id, "h-" + id.substring(0, 6), TEAM, new Rootfs.Directory(busybox), args,
                null, null, null, Resources.UNLIMITED, null, List.of(), NetworkSpec.NONE,
                new RunOptions(false, List.of(), false, new HealthCheck(List.of(test), Duration.ofSeconds(1), timeout, Duration.ZERO, retries))));
        return runtime.start(info.id());
    }

    private static Health awaitHealth(String id, java.util.function.Predicate<Health> until) {
        return await("health of " + id).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> runtime.inspect(id).health(), until);
    }

    /** Host pids of the processes whose command line (arguments joined by spaces) passes {@code test}. */
    static List<Integer> processes(java.util.function.Predicate<String> test) throws IOException {
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : proc) {
                try {
                    String cmdline = new String(Files.readAllBytes(dir.resolve("cmdline"))).replace('\0', ' ');
                    if (test.test(cmdline)) {
                        pids.add(Integer.parseInt(dir.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // ended while we looked
                }
            }
        }
        return pids;
    }

    private static String read(int pid, String file) throws IOException {
        return Files.readString(Path.of("/proc", Integer.toString(pid), file));
    }

    @Test
    void aProbeRunsInTheContainersCgroupsPidNamespaceAndUidRange() throws Exception {
        ContainerInfo info = run(List.of("/bin/sleep", "300"), Duration.ofSeconds(20), 3, "CMD", "/bin/sleep", "6.317");
        int probe = await("the probe runs").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> processes(c -> c.startsWith("/bin/sleep 6.317")), pids -> pids.size() == 1).get(0);

        String cgroups = read(probe, "cgroup");
        assertThat(cgroups).as("the probe's cgroups are the container's").isEqualTo(read(info.pid(), "cgroup")).contains("ctr-" + info.id());
        String memory = cgroups.lines().filter(l -> l.matches("\\d+:memory:.*")).findFirst().orElseThrow().split(":", 3)[2];
        assertThat(Files.readAllLines(Path.of("/sys/fs/cgroup/memory" + memory, "cgroup.procs"))).contains(Integer.toString(probe));
        assertThat(Files.readSymbolicLink(Path.of("/proc", Integer.toString(probe), "ns/pid")))
                .isEqualTo(Files.readSymbolicLink(Path.of("/proc", Integer.toString(info.pid()), "ns/pid")))
                .isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")));
        assertThat(read(probe, "status")).containsPattern("(?m)^Uid:\\s+" + IdMapping.forTeam(TEAM, 1_000_000).hostBase() + "\\s");
    }

    @Test
    void aProbeThatHangsIsKilledWithItsChildrenAtTheTimeoutAndFails() throws Exception {
        ContainerInfo info = run(List.of("/bin/sleep", "300"), Duration.ofSeconds(1), 1, "CMD-SHELL",
                "echo waiting; sleep 30.271; echo never");
        List<Integer> mostAlive = new CopyOnWriteArrayList<>();
        Health health = await("three probes timed out").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    mostAlive.add(processes(c -> c.startsWith("sleep 30.271")).size());
                    return runtime.inspect(info.id()).health();
                }, h -> h.log().size() >= 3);
        assertThat(health.status()).isEqualTo(Health.Status.UNHEALTHY);
        assertThat(health.log()).allSatisfy(p -> {
            assertThat(p.exitCode()).isEqualTo(-1);
            assertThat(p.output()).startsWith("waiting\n").contains("timed out after 1 s").doesNotContain("never");
            assertThat(Duration.between(p.start(), p.end())).isLessThan(Duration.ofSeconds(5));
        });
        assertThat(mostAlive).as("sleeping probe children alive at once (a killed probe's would linger)").allMatch(n -> n <= 1).contains(1);

        runtime.stop(info.id(), Duration.ofSeconds(1));
        await("no probe left").atMost(Duration.ofSeconds(10)).until(() -> processes(c -> c.startsWith("sleep 30.271")).isEmpty());
    }

    @Test
    void probingEndsWithTheContainerAndLeavesNoProcessOrThreadBehind() throws Exception {
        ContainerInfo ending = run(List.of("/bin/sleep", "3"), Duration.ofSeconds(5), 3, "CMD", "/bin/true");
        ContainerInfo removed = run(List.of("/bin/sleep", "300"), Duration.ofSeconds(5), 3, "CMD", "/bin/sleep", "0.9");
        awaitHealth(ending.id(), h -> h.status() == Health.Status.HEALTHY);
        awaitHealth(removed.id(), h -> h.status() == Health.Status.HEALTHY);

        ContainerInfo exited = await().atMost(Duration.ofSeconds(20)).until(() -> runtime.inspect(ending.id()),
                c -> c.state() == ContainerState.EXITED);
        assertThat(exited.health().status()).as("the last health is kept").isEqualTo(Health.Status.HEALTHY);
        await("a probe running at the remove").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> !processes(c -> c.startsWith("/bin/sleep 0.9")).isEmpty());
        runtime.remove(removed.id(), true);

        Thread.sleep(2_500); // more than two intervals
        assertThat(runtime.inspect(ending.id()).health()).as("no probe after the exit").isEqualTo(exited.health());
        assertThat(processes(c -> c.contains(" exec ") && (c.contains(ending.id()) || c.contains(removed.id()))))
                .as("runc exec processes left").isEmpty();
        assertThat(processes(c -> c.startsWith("/bin/sleep 0.9"))).isEmpty();
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().startsWith("wharf-health-probe"))
                .hasSizeLessThanOrEqualTo(HealthMonitor.PROBES_PER_TEAM);
    }

    @Test
    void aRuntimeOpenedAgainKeepsTheHealthAndGoesOnProbing() throws Exception {
        ContainerInfo info = run(List.of("/bin/sleep", "300"), Duration.ofSeconds(5), 2, "CMD", "/bin/test", "-f", "/ok");
        runtime.exec(info.id(), ExecSpec.of("/bin/touch", "/ok"));
        Health healthy = awaitHealth(info.id(), h -> h.status() == Health.Status.HEALTHY);

        runtime.close();
        runtime = LocalRuntime.open(settings, Clock.systemUTC());
        ContainerInfo found = runtime.inspect(info.id());
        assertThat(found.state()).isEqualTo(ContainerState.RUNNING);
        assertThat(found.health().status()).isEqualTo(Health.Status.HEALTHY);
        assertThat(found.health().log()).startsWith(healthy.log().get(0));

        List<RuntimeEvent> events = new CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = runtime.subscribe(events::add)) {
            runtime.exec(info.id(), ExecSpec.of("/bin/rm", "/ok"));
            Health unhealthy = awaitHealth(info.id(), h -> h.status() == Health.Status.UNHEALTHY);
            assertThat(unhealthy.failingStreak()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(5)).until(() -> events.stream().anyMatch(e ->
                    e instanceof RuntimeEvent.ContainerHealthChanged changed && changed.containerId().equals(info.id())
                            && changed.health().status() == Health.Status.UNHEALTHY));
        }
    }
}
