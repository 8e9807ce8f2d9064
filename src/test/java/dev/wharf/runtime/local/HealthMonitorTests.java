package dev.wharf.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.Health;
import dev.wharf.runtime.api.HealthCheck;
import dev.wharf.runtime.api.NetworkSpec;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RunOptions;
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.api.RuntimeFailure;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduling of probes without a kernel: a fake exec stands in for {@code runc exec}, so the
 * bound on threads, one probe at a time per container and the end of probing are checked with many
 * containers in a few seconds.
 */
class HealthMonitorTests {

    private static final HealthCheck EVERY_SECOND = new HealthCheck(List.of("CMD", "/bin/check"), Duration.ofSeconds(1),
            Duration.ofSeconds(5), Duration.ZERO, 2);

    @TempDir
    Path dir;

    private final RuntimeEvents events = new RuntimeEvents();
    private final List<RuntimeEvent> heard = new CopyOnWriteArrayList<>();
    private HealthMonitor monitor;
    private ContainerStore store;

    @AfterEach
    void close() throws InterruptedException {
        if (monitor != null) {
            monitor.close();
            // a released probe still writes its container's state: let it finish before the temporary directory goes
            assertThat(monitor.awaitProbes(Duration.ofSeconds(10))).as("probes end after close").isTrue();
        }
    }

    private HealthMonitor monitor(HealthMonitor.ProbeExec exec) {
        store = new ContainerStore(dir);
        events.subscribe(heard::add);
        monitor = new HealthMonitor(store, exec, events, Clock.systemUTC());
        return monitor;
    }

    /** A running container of team 7 with the check, started now, its health reset and its probing begun. */
    private ContainerRecord started(int n, HealthCheck check) {
        return started(n, 7, check);
    }

    private ContainerRecord started(int n, long team, HealthCheck check) {
        ContainerSpec spec = new ContainerSpec("c" + n, "c-" + n, team, new Rootfs.Directory(Path.of("/nonexistent")), List.of("/bin/app"),
                Map.of(), null, null, Resources.UNLIMITED, null, List.of(), NetworkSpec.NONE,
                new RunOptions(false, List.of(), false, check));
        ContainerRecord record = new ContainerRecord(spec, Instant.now());
        synchronized (record) {
            record.state = ContainerState.RUNNING;
            record.startedAt = Instant.now();
            HealthMonitor.reset(record);
        }
        store.add(record);
        monitor.started(record);
        return record;
    }

    @Test
    void manyContainersOfATeamRunABoundedNumberOfProbesAndEachHasOneProbeAtATime() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        Map<String, AtomicInteger> perContainer = new ConcurrentHashMap<>();
        AtomicInteger overlapping = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        monitor((id, spec) -> {
            calls.incrementAndGet();
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            if (perContainer.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() > 1) {
                overlapping.incrementAndGet();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                perContainer.get(id).decrementAndGet();
                running.decrementAndGet();
            }
            return new ExecResult(0, "ok\n", "", false, false);
        });
        List<ContainerRecord> records = new java.util.ArrayList<>();
        for (int i = 0; i < 24; i++) {
            records.add(started(i, EVERY_SECOND));
        }
        await("every container probed twice").atMost(Duration.ofSeconds(30)).until(() ->
                records.stream().allMatch(r -> r.health.log().size() >= 2));
        assertThat(mostAtOnce.get()).as("probes at once").isLessThanOrEqualTo(HealthMonitor.PROBES_PER_TEAM);
        assertThat(overlapping.get()).as("probes of one container that overlapped").isZero();
        assertThat(records).allSatisfy(r -> assertThat(r.health.status()).isEqualTo(Health.Status.HEALTHY));

        records.forEach(r -> monitor.stop(r.spec.id()));
        assertThat(monitor.probing()).isZero();
        Thread.sleep(300); // probes that had begun end
        int after = calls.get();
        Thread.sleep(1_500);
        assertThat(calls.get()).as("probes after the containers stopped").isEqualTo(after);
    }

    /** A hostile team whose probes all hang (until a long timeout) must not hold up another team's health checks. */
    @Test
    void aTeamWhoseProbesHangDelaysOnlyItsOwn() throws Exception {
        CountDownLatch hang = new CountDownLatch(1);
        AtomicInteger hostileProbes = new AtomicInteger();
        monitor((id, spec) -> {
            if (id.startsWith("c1")) { // team 1's containers: c10 … c19
                hostileProbes.incrementAndGet();
                try {
                    hang.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new ExecResult(0, "", "", false, false);
        });
        try {
            for (int i = 10; i < 20; i++) {
                started(i, 1, EVERY_SECOND);
            }
            await("team 1's probes hang").atMost(Duration.ofSeconds(5)).until(() -> hostileProbes.get() >= HealthMonitor.PROBES_PER_TEAM);
            ContainerRecord other = started(2, 2, EVERY_SECOND);
            await("team 2's container is probed meanwhile").atMost(Duration.ofSeconds(5))
                    .until(() -> other.health.status() == Health.Status.HEALTHY);
            assertThat(hostileProbes.get()).as("team 1 never runs more than its share").isEqualTo(HealthMonitor.PROBES_PER_TEAM);
        } finally {
            hang.countDown();
        }
    }

    @Test
    void theFirstProbeWaitsAnIntervalAndStatusChangesArePublishedInOrder() throws Exception {
        List<Instant> probedAt = new CopyOnWriteArrayList<>();
        AtomicInteger exitCode = new AtomicInteger(0);
        monitor((id, spec) -> {
            probedAt.add(Instant.now());
            return new ExecResult(exitCode.get(), "", "status " + exitCode.get(), false, false);
        });
        ContainerRecord record = started(1, EVERY_SECOND);
        assertThat(record.health).isEqualTo(Health.STARTING);
        await().atMost(Duration.ofSeconds(5)).until(() -> record.health.status() == Health.Status.HEALTHY);
        assertThat(Duration.between(record.startedAt, probedAt.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(990));
        exitCode.set(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> record.health.status() == Health.Status.UNHEALTHY);
        assertThat(record.health.failingStreak()).isEqualTo(2);
        assertThat(record.health.log().get(record.health.log().size() - 1).output()).isEqualTo("status 1");
        assertThat(heard).map(e -> ((RuntimeEvent.ContainerHealthChanged) e).health().status())
                .containsExactly(Health.Status.STARTING, Health.Status.HEALTHY, Health.Status.UNHEALTHY);
        assertThat(ContainerStore.read(dir.resolve("c1")).health).as("container.json keeps it").isEqualTo(record.health);
    }

    @Test
    void aProbeThatTimesOutOrCannotRunFailsWithItsReasonAndOneRunningAtTheExitIsNotCounted() throws Exception {
        AtomicInteger call = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        monitor((id, spec) -> {
            int n = call.incrementAndGet();
            if (n == 1) {
                return new ExecResult(137, "partial\n", "", true, false);
            }
            if (n == 2) {
                throw RuntimeFailure.invalid("exec failed: /bin/check: no such file or directory");
            }
            blocked.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new ExecResult(0, "", "", false, false);
        });
        ContainerRecord record = started(1, EVERY_SECOND);
        await().atMost(Duration.ofSeconds(10)).until(() -> record.health.status() == Health.Status.UNHEALTHY);
        assertThat(record.health.log()).extracting(Health.Probe::exitCode).containsExactly(-1, -1);
        assertThat(record.health.log().get(0).output()).startsWith("partial").contains("timed out after 5 s");
        assertThat(record.health.log().get(1).output()).contains("no such file");

        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        synchronized (record) {
            record.state = ContainerState.EXITED;
            monitor.stop(record.spec.id());
        }
        release.countDown();
        Thread.sleep(300);
        assertThat(record.health.log()).as("the probe that was running at the exit").hasSize(2);
        assertThat(record.health.status()).isEqualTo(Health.Status.UNHEALTHY);
    }
}
