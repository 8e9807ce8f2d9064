package dev.wharf.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.LogQuery;
import dev.wharf.runtime.api.NodeStatus;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.TeamLimits;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A host that cannot run containers: its runtime says why, refuses every command with those lines, and holds nothing. */
class UnavailableRuntimeTests {

    private static final List<String> PROBLEMS = List.of("runc not found (/nonexistent/runc): install the runc package",
            "overlayfs is not available: load it with 'modprobe overlay'");

    private final UnavailableRuntime runtime = new UnavailableRuntime(PROBLEMS, "v2");

    @Test
    void itsStatusIsNotReadyWithTheProblemsAndTheHostsSize() {
        NodeStatus status = runtime.status();
        assertThat(status.ready()).isFalse();
        assertThat(status.problems()).isEqualTo(PROBLEMS);
        assertThat(status.cpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(status.cgroupVersion()).isEqualTo("v2");
    }

    @Test
    void everyCommandFailsAsUnavailableNamingEveryProblem() {
        ContainerSpec spec = new ContainerSpec("abc", "web", 1, new Rootfs.Image("sha256:" + "0".repeat(64)), List.of("/bin/true"),
                Map.of(), "/", "0:0", Resources.UNLIMITED, "TERM");
        List<ThrowingCallable> commands = List.of(
                () -> runtime.applyTeamLimits(new TeamLimits(1, Resources.UNLIMITED)),
                () -> runtime.removeTeam(1),
                () -> runtime.create(spec),
                () -> runtime.start("abc"),
                () -> runtime.stop("abc", Duration.ofSeconds(1)),
                () -> runtime.kill("abc", "TERM"),
                () -> runtime.remove("abc", true),
                () -> runtime.exec("abc", new ExecSpec(List.of("/bin/true"), Map.of(), null, null)),
                () -> runtime.openTerminal("abc", List.of("/bin/sh"), 80, 24),
                () -> runtime.pullImage(1, "busybox", null, p -> { }),
                () -> runtime.importImage(1, new ByteArrayInputStream(new byte[0])),
                () -> runtime.image(1, "sha256:" + "0".repeat(64)),
                () -> runtime.removeImage(1, "sha256:" + "0".repeat(64)),
                () -> runtime.createVolume(1, "data", 1 << 20),
                () -> runtime.volumes(1),
                () -> runtime.removeVolume(1, "data"));
        for (ThrowingCallable command : commands) {
            assertThatThrownBy(command)
                    .isInstanceOfSatisfying(RuntimeFailure.class, f -> assertThat(f.kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE))
                    .hasMessage("this node cannot run containers: " + String.join("; ", PROBLEMS));
        }
    }

    @Test
    void itHoldsNoContainersAndNoImages() throws Exception {
        assertThat(runtime.list()).isEmpty();
        assertThat(runtime.images(1)).isEmpty();
        for (ThrowingCallable query : List.<ThrowingCallable>of(() -> runtime.inspect("abc"), () -> runtime.logs("abc", LogQuery.ALL),
                () -> runtime.stats("abc"), () -> runtime.writableBytes("abc"))) {
            assertThatThrownBy(query)
                    .isInstanceOfSatisfying(RuntimeFailure.class, f -> assertThat(f.kind()).isEqualTo(RuntimeFailure.Kind.NOT_FOUND))
                    .hasMessage("container abc not found");
        }
        runtime.subscribe(event -> { }).close();
    }

    @Test
    void theFactoryGivesAHostWithoutRuncAnUnavailableRuntimeAndMakesNothing(@TempDir Path work) {
        Path data = work.resolve("data");
        RuntimeSettings settings = new RuntimeSettings(data, "wharf-unavailable-" + java.util.UUID.randomUUID().toString().substring(0, 8), Path.of("/sys/fs/cgroup"), 1_000_000,
                "/nonexistent/runc", "conmon", 1 << 20, 1L << 30, 1L << 30, Set.of(), null, 1000, 1000);
        RuntimeService onHost = LocalRuntime.onHost(settings, Clock.systemUTC());
        assertThat(onHost).isInstanceOf(UnavailableRuntime.class);
        assertThat(onHost.status().problems()).anySatisfy(p -> assertThat(p).satisfiesAnyOf(
                line -> assertThat(line).isEqualTo("runc not found (/nonexistent/runc): install the runc package"),
                line -> assertThat(line).startsWith("not running as root")));
        assertThatThrownBy(() -> LocalRuntime.open(settings, Clock.systemUTC()))
                .isInstanceOfSatisfying(RuntimeFailure.class, f -> assertThat(f.kind()).isEqualTo(RuntimeFailure.Kind.UNAVAILABLE));
        assertThat(Files.exists(data)).isFalse();
    }
}
