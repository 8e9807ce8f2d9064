package dev.wharf.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.Health;
import dev.wharf.runtime.api.HealthCheck;
import dev.wharf.runtime.api.LogLine;
import dev.wharf.runtime.api.LogQuery;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RunOptions;
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.api.TerminalSession;
import dev.wharf.testing.Terminal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RuntimeService} must do, whatever carries it (in process, or a node over
 * HTTP later). Subclasses supply the runtime and a busybox rootfs, and may add host-side checks.
 */
public abstract class RuntimeServiceContractTests {

    protected static final long MiB = 1024 * 1024;

    protected abstract RuntimeService runtime();

    protected abstract Path rootfs();

    /**
     * The root filesystem the suite's containers of {@code team} run on: the busybox directory, unless a runtime takes
     * images only (then an image the team holds).
     */
    protected Rootfs rootfsSpec(long team) {
        return new Rootfs.Directory(rootfs());
    }

    /** What the refusal of a root filesystem directory that does not exist names. */
    protected String missingRootfsRefusal() {
        return "/nonexistent/rootfs";
    }

    /** Team ids this test run may use; chosen high so they never meet real teams. */
    protected final long teamA = 60_000 + 2 * (long) (Math.random() * 2_000);
    protected final long teamB = teamA + 1;
    protected final List<String> created = new CopyOnWriteArrayList<>();

    protected ContainerSpec spec(long team, List<String> args, Resources resources) {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        return new ContainerSpec(id, "c-" + id.substring(0, 6), team, rootfsSpec(team), args, Map.of("GREETING", "hello"),
                null, null, resources, null);
    }

    /** As {@link #spec}, probed by {@code check}. */
    protected ContainerSpec probedSpec(long team, List<String> args, HealthCheck check) {
        ContainerSpec s = spec(team, args, Resources.UNLIMITED);
        return new ContainerSpec(s.id(), s.name(), s.teamId(), s.rootfs(), s.args(), s.env(), s.workingDir(), s.user(), s.resources(),
                s.stopSignal(), s.volumes(), s.network(), new RunOptions(false, List.of(), false, check));
    }

    /** Creates and starts a container of {@code spec} (removed after the test). */
    protected ContainerInfo run(ContainerSpec spec) {
        ContainerInfo info = runtime().create(spec);
        created.add(info.id());
        return runtime().start(info.id());
    }

    /** The container's health once {@code until} holds of it (at most 30 s). */
    protected Health awaitHealth(String id, java.util.function.Predicate<Health> until) {
        return org.awaitility.Awaitility.await("health of " + id).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> runtime().inspect(id).health(), until);
    }

    protected ContainerInfo run(long team, Resources resources, String... args) {
        ContainerInfo info = runtime().create(spec(team, List.of(args), resources));
        created.add(info.id());
        return runtime().start(info.id());
    }

    protected ContainerInfo awaitExit(String id, Duration timeout) throws InterruptedException {
        return org.awaitility.Awaitility.await("container " + id + " exited").atMost(timeout).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20)).until(() -> runtime().inspect(id), info -> info.state() == ContainerState.EXITED);
    }

    protected String logText(String id) {
        try (Stream<LogLine> lines = runtime().logs(id, LogQuery.ALL)) {
            return lines.map(l -> l.stream() + ":" + l.text()).collect(Collectors.joining("\n"));
        }
    }

    @AfterEach
    void removeContainers() {
        dev.wharf.testing.TestRuntimes.remove(runtime(), created);
    }

    @Test
    void exitCodesAndBothLogStreamsAreCaptured() throws Exception {
        runtime().applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        List<RuntimeEvent> events = new CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = runtime().subscribe(events::add)) {
            ContainerInfo info = run(teamA, Resources.UNLIMITED, "/bin/sh", "-c", "echo out $GREETING; echo err >&2; exit 3");
            ContainerInfo exited = awaitExit(info.id(), Duration.ofSeconds(20));
            assertThat(exited.exitCode()).isEqualTo(3);
            assertThat(exited.oomKilled()).isFalse();
            assertThat(exited.finishedAt()).isAfterOrEqualTo(exited.startedAt());
            assertThat(logText(info.id())).contains("STDOUT:out hello").contains("STDERR:err");
            Thread.sleep(200);
            assertThat(events).anySatisfy(e -> assertThat(e).isEqualTo(new RuntimeEvent.ContainerStarted(info.id(), e.time())));
            assertThat(events).anySatisfy(e -> {
                assertThat(e).isInstanceOf(RuntimeEvent.ContainerExited.class);
                assertThat(((RuntimeEvent.ContainerExited) e).exitCode()).isEqualTo(3);
            });
        }
    }

    /**
     * Software that logs by opening {@code /dev/stdout} (nginx's {@code access_log /dev/stdout}) works when it
     * runs as a user other than root: the process's output pipes belong to the user it runs as, on every start.
     * Its input, the host's {@code /dev/null}, stays root's.
     */
    @Test
    void aProcessOfAnotherUserOpensItsOwnStdoutAndStderrByName() throws Exception {
        runtime().applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerSpec base = spec(teamA, List.of("/bin/sh", "-c",
                "id -u; readlink /proc/self/fd/0; echo out > /dev/stdout && echo err > /dev/stderr"), Resources.UNLIMITED);
        ContainerSpec spec = new ContainerSpec(base.id(), base.name(), base.teamId(), base.rootfs(), base.args(), base.env(), null,
                "1000:1000", base.resources(), null);
        ContainerInfo info = runtime().create(spec);
        created.add(info.id());
        runtime().start(info.id());
        assertThat(awaitExit(info.id(), Duration.ofSeconds(20)).exitCode()).as(() -> logText(info.id())).isZero();
        runtime().start(info.id());
        assertThat(awaitExit(info.id(), Duration.ofSeconds(20)).exitCode()).as(() -> logText(info.id())).isZero();
        assertThat(logText(info.id()).split("\n")).containsExactlyInAnyOrder("STDOUT:1000", "STDOUT:/dev/null", "STDOUT:out",
                "STDERR:err", "STDOUT:1000", "STDOUT:/dev/null", "STDOUT:out", "STDERR:err");
        Path devNull = Path.of("/dev/null");
        assertThat(java.nio.file.Files.getAttribute(devNull, "unix:uid")).as("the host's /dev/null's owner").isEqualTo(0);
        assertThat(java.nio.file.Files.getAttribute(devNull, "unix:mode")).as("its mode").isEqualTo(020666);
    }

    @Test
    void aHealthCheckRunsInTheContainerAndItsStatusChangesAreReportedInOrder() throws Exception {
        runtime().applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        HealthCheck check = new HealthCheck(List.of("CMD-SHELL", "echo probing $GREETING; test -f /tmp/healthy"), Duration.ofSeconds(1),
                Duration.ofSeconds(5), Duration.ZERO, 2);
        List<RuntimeEvent> events = new CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = runtime().subscribe(events::add)) {
            ContainerInfo info = run(probedSpec(teamA, List.of("/bin/sleep", "300"), check));
            assertThat(info.health()).isEqualTo(Health.STARTING);
            assertThat(info.spec().options().healthCheck()).isEqualTo(check);
            assertThat(runtime().exec(info.id(), ExecSpec.of("/bin/touch", "/tmp/healthy")).exitCode()).isZero();
            Health healthy = awaitHealth(info.id(), h -> h.status() == Health.Status.HEALTHY);
            assertThat(healthy.failingStreak()).isZero();
            assertThat(healthy.log()).last().satisfies(p -> {
                assertThat(p.exitCode()).isZero();
                assertThat(p.output()).isEqualTo("probing hello\n");
                assertThat(p.end()).isAfterOrEqualTo(p.start());
            });

            assertThat(runtime().exec(info.id(), ExecSpec.of("/bin/rm", "/tmp/healthy")).exitCode()).isZero();
            Health unhealthy = awaitHealth(info.id(), h -> h.status() == Health.Status.UNHEALTHY);
            assertThat(unhealthy.failingStreak()).isEqualTo(2);
            assertThat(unhealthy.log()).hasSizeGreaterThanOrEqualTo(3).hasSizeLessThanOrEqualTo(Health.LOG_SIZE);
            assertThat(unhealthy.log().subList(unhealthy.log().size() - 2, unhealthy.log().size()))
                    .allSatisfy(p -> assertThat(p.exitCode()).isEqualTo(1));
            assertThat(runtime().list()).filteredOn(c -> c.id().equals(info.id())).singleElement()
                    .satisfies(c -> assertThat(c.health().status()).isEqualTo(Health.Status.UNHEALTHY));

            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events)
                    .filteredOn(e -> e instanceof RuntimeEvent.ContainerHealthChanged && e.containerId().equals(info.id()))
                    .map(e -> ((RuntimeEvent.ContainerHealthChanged) e).health().status())
                    .containsExactly(Health.Status.STARTING, Health.Status.HEALTHY, Health.Status.UNHEALTHY));
            RuntimeEvent.ContainerHealthChanged last = (RuntimeEvent.ContainerHealthChanged) events.stream()
                    .filter(e -> e instanceof RuntimeEvent.ContainerHealthChanged).reduce((a, b) -> b).orElseThrow();
            assertThat(last.health().log()).last().satisfies(p -> assertThat(p.output()).isEqualTo("probing hello\n"));
        }
    }

    @Test
    void logsHonourTailAndSinceAndFollowEndsWithTheContainer() throws Exception {
        runtime().applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerInfo info = run(teamA, Resources.UNLIMITED, "/bin/sh", "-c",
                "for i in 1 2 3 4 5; do echo line-$i; done; sleep 1; echo late; sleep 1; echo last");
        try (Stream<LogLine> follow = runtime().logs(info.id(), new LogQuery(null, null, true))) {
            List<String> lines = follow.map(LogLine::text).toList();
            assertThat(lines).containsExactly("line-1", "line-2", "line-3", "line-4", "line-5", "late", "last");
        }
        try (Stream<LogLine> tail = runtime().logs(info.id(), new LogQuery(null, 2, false))) {
            assertThat(tail.map(LogLine::text).toList()).containsExactly("late", "last");
        }
        List<LogLine> all;
        try (Stream<LogLine> lines = runtime().logs(info.id(), LogQuery.ALL)) {
            all = lines.toList();
        }
        try (Stream<LogLine> since = runtime().logs(info.id(), new LogQuery(all.get(5).time(), null, false))) {
            assertThat(since.map(LogLine::text).toList()).containsExactly("late", "last");
        }
    }

    @Test
    void execRunsInsideARunningContainer() throws Exception {
        runtime().applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerInfo info = run(teamA, Resources.UNLIMITED, "/bin/sleep", "300");
        ExecResult result = runtime().exec(info.id(), ExecSpec.of("/bin/sh", "-c", "echo hi; hostname; echo oops >&2; exit 4"));
        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(result.stdout()).isEqualTo("hi\n" + info.name() + "\n");
        assertThat(result.stderr()).isEqualTo("oops\n");
        ExecResult slow = runtime().exec(info.id(), new ExecSpec(List.of("/bin/sleep", "60"), null, null, Duration.ofSeconds(1)));
        assertThat(slow.timedOut()).isTrue();
        assertThat(runtime().inspect(info.id()).state()).isEqualTo(ContainerState.RUNNING);
    }

    @Test
    void execKeepsTheFirstMebibyteOfEachStreamAndKillsAProcessThatPrintsMore() throws Exception {
        runtime().applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerInfo info = run(teamA, Resources.UNLIMITED, "/bin/sleep", "300");
        long started = System.nanoTime();
        ExecResult flood = runtime().exec(info.id(), new ExecSpec(List.of("/bin/sh", "-c", "echo first >&2; exec yes wharf"),
                null, null, Duration.ofSeconds(60)));
        assertThat(flood.truncated()).isTrue();
        assertThat(flood.timedOut()).isFalse();
        assertThat(flood.exitCode()).as("killed once past the limit").isEqualTo(137);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not left running to its timeout").isLessThan(Duration.ofSeconds(30));
        assertThat(flood.stdout()).hasSize(ExecResult.MAX_OUTPUT_BYTES).startsWith("wharf\nwharf\n");
        assertThat(flood.stderr()).isEqualTo("first\n");

        ExecResult exact = runtime().exec(info.id(), ExecSpec.of("/bin/sh", "-c", "head -c " + ExecResult.MAX_OUTPUT_BYTES + " /dev/zero"));
        assertThat(exact.truncated()).as("exactly the limit is not truncated").isFalse();
        assertThat(exact.exitCode()).isZero();
        assertThat(exact.stdout()).hasSize(ExecResult.MAX_OUTPUT_BYTES);
        assertThat(runtime().inspect(info.id()).state()).isEqualTo(ContainerState.RUNNING);
    }

    @Test
    void aTerminalRunsAnInteractiveShellAndFollowsResizes() throws Exception {
        runtime().applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerInfo info = run(teamA, Resources.UNLIMITED, "/bin/sh", "-c", "sleep 300");
        try (TerminalSession terminal = runtime().openTerminal(info.id(), List.of("/bin/sh"), 80, 24)) {
            java.io.InputStream out = terminal.output();
            StringBuilder screen = new StringBuilder();
            terminal.input().write("echo hi-$((40+2)); tty; stty size\n".getBytes());
            Terminal.readUntil(out, screen, "24 80");
            assertThat(screen).contains("hi-42").contains("/dev/pts/");
            terminal.resize(120, 40);
            terminal.input().write("stty size; exit\n".getBytes());
            Terminal.readUntil(out, screen, "40 120");
            byte[] rest = new byte[4096];
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (out.read(rest) >= 0 && System.nanoTime() < deadline) {
                // drain until the shell's exit hangs up the terminal
            }
        }
        assertThat(runtime().inspect(info.id()).state()).isEqualTo(ContainerState.RUNNING);
    }

    @Test
    void stopSendsKillAfterTheTimeoutWhenTermIsIgnored() throws Exception {
        runtime().applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerInfo info = run(teamA, Resources.UNLIMITED, "/bin/sh", "-c", "trap '' TERM; while true; do sleep 1; done");
        long start = System.nanoTime();
        ContainerInfo stopped = runtime().stop(info.id(), Duration.ofSeconds(2));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(stopped.state()).isEqualTo(ContainerState.EXITED);
        assertThat(stopped.exitCode()).isEqualTo(137);
        assertThat(elapsedMillis).isBetween(1_900L, 15_000L);

        ContainerInfo polite = run(teamA, Resources.UNLIMITED, "/bin/sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done");
        Thread.sleep(300);
        assertThat(runtime().stop(polite.id(), Duration.ofSeconds(10)).exitCode()).isEqualTo(0);
    }

    @Test
    void anExitedContainerStartsAgainWithItsFiles() throws Exception {
        runtime().applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerInfo info = run(teamA, Resources.UNLIMITED, "/bin/sh", "-c", "echo run >> /root/runs; cat /root/runs | wc -l");
        awaitExit(info.id(), Duration.ofSeconds(20));
        runtime().start(info.id());
        awaitExit(info.id(), Duration.ofSeconds(20));
        assertThat(logText(info.id())).contains("STDOUT:1").contains("STDOUT:2");
    }

    @Test
    void removeRefusesARunningContainerWithoutForce() throws Exception {
        runtime().applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        ContainerInfo info = run(teamA, Resources.UNLIMITED, "/bin/sleep", "300");
        assertThatThrownBy(() -> runtime().remove(info.id(), false)).isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.FAILED_PRECONDITION));
        runtime().remove(info.id(), true);
        assertThatThrownBy(() -> runtime().inspect(info.id())).isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.NOT_FOUND));
    }

    @Test
    void badSpecsFailClearly() {
        runtime().applyTeamLimits(new TeamLimits(teamA, Resources.UNLIMITED));
        assertThatThrownBy(() -> runtime().create(spec(teamA + 500, List.of("/bin/true"), null)))
                .isInstanceOf(RuntimeFailure.class).hasMessageContaining("not known")
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.NOT_FOUND));
        assertThatThrownBy(() -> new Resources(null, -5L, null)).isInstanceOf(RuntimeFailure.class).hasMessageContaining("memory");
        assertThatThrownBy(() -> new Resources(-1.0, null, null)).isInstanceOf(RuntimeFailure.class).hasMessageContaining("cpus");
        assertThatThrownBy(() -> new Resources(null, null, 0L)).isInstanceOf(RuntimeFailure.class).hasMessageContaining("pids");
        ContainerSpec missing = new ContainerSpec("missingrootfs1", "missing", teamA, new Rootfs.Directory(Path.of("/nonexistent/rootfs")),
                List.of("/bin/true"), null, null, null, null, null);
        assertThatThrownBy(() -> runtime().create(missing)).isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining(missingRootfsRefusal())
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT));
        assertThat(runtime().list()).noneMatch(c -> c.id().equals("missingrootfs1"));
        ContainerInfo first = runtime().create(spec(teamA, List.of("/bin/true"), null));
        created.add(first.id());
        ContainerSpec sameName = new ContainerSpec("samename1", first.name(), teamA, rootfsSpec(teamA),
                List.of("/bin/true"), null, null, null, null, null);
        assertThatThrownBy(() -> runtime().create(sameName)).isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.ALREADY_EXISTS));
        assertThatThrownBy(() -> runtime().kill(first.id(), "NOPE")).isInstanceOf(RuntimeFailure.class).hasMessageContaining("unknown signal");
    }
}
