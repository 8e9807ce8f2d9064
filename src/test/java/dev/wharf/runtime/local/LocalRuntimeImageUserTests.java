package dev.wharf.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.wharf.runtime.api.ContainerDefaults;
import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.HealthCheck;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.api.TerminalSession;
import dev.wharf.runtime.process.Executables;
import dev.wharf.testing.AppImage;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.ProcessIds;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRegistry;
import dev.wharf.testing.TestRuntimes;
import dev.wharf.testing.Terminal;
import dev.wharf.testing.WorkDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An image's {@code USER app} on the runtime, pulled from a real registry and imported ({@link AppImage}): the
 * container's process, its execs and its terminals run as the team's mapping of app's ids and
 * groups, read back from the host; an unknown user fails the create and leaves nothing behind.
 */
@Tag("root")
class LocalRuntimeImageUserTests {

    static final String CGROUP_ROOT = "wharf-test-" + UUID.randomUUID().toString().substring(0, 8);
    static final long ID_MAP_BASE = 1_000_000;
    static final long TEAM = 61_011;
    static final IdMapping IDS = IdMapping.forTeam(TEAM, ID_MAP_BASE);
    static Path work;
    static TestRegistry registry;
    static LocalRuntime runtime;
    static ImageInfo image;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "the runtime tests need root");
        Prerequisites.require(Executables.find("runc").isPresent() && Executables.find("conmon").isPresent(),
                "runc and conmon are not installed");
        Prerequisites.require(AppImage.available() && TestRegistry.available(),
                "busybox-static, umoci, skopeo and docker-registry are not installed");
        work = WorkDirs.create("wharf-image-user-test-");
        AppImage app = AppImage.create(Files.createDirectories(work.resolve("image")));
        registry = TestRegistry.start(Files.createDirectories(work.resolve("registry")));
        String reference = app.push(registry, "team/app:1");
        runtime = LocalRuntime.open(TestRuntimes.settings(work.resolve("node"), CGROUP_ROOT, ID_MAP_BASE, Set.of(registry.host())),
                Clock.systemUTC());
        runtime.applyTeamLimits(new TeamLimits(TEAM, Resources.UNLIMITED));
        image = runtime.pullImage(TEAM, reference, host -> null, progress -> { });
        assertThat(image.digest()).isEqualTo(app.digest());
        try (java.io.InputStream archive = Files.newInputStream(app.archive(work.resolve("app.tar"), "team/app:1"))) {
            assertThat(runtime.importImage(TEAM, archive).digest()).as("imported, the same image").isEqualTo(app.digest());
        }
        assertThat(image.config()).as("the image as a Dockerfile leaves it").isEqualTo(new ImageInfo.ImageConfig(
                List.of("/entrypoint.sh"), List.of("/app/serve.sh"), List.of("PATH=/bin"), "/home/app", "app", "SIGUSR1", List.of(),
                Map.of(), new HealthCheck(List.of("CMD-SHELL", "test -f " + AppImage.HEALTHY_FILE), Duration.ofSeconds(1),
                        Duration.ofSeconds(1), null, 2)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (runtime != null) {
            TestRuntimes.removeAll(runtime);
            for (ImageInfo held : runtime.images(TEAM)) {
                runtime.removeImage(TEAM, held.digest());
            }
            runtime.close();
        }
        if (registry != null) {
            registry.close();
        }
        TestCgroups.removeTree(CGROUP_ROOT);
        if (work != null) {
            WorkDirs.delete(work);
        }
    }

    /** A spec of the image with its defaults, as {@code user} when not null. */
    private static ContainerSpec spec(String user) {
        ContainerDefaults.Resolved run = ContainerDefaults.resolve(image.references().get(0), image.config(),
                new ContainerDefaults.Request(null, null, null, null, user, null));
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        return new ContainerSpec(id, "app-" + id.substring(0, 6), TEAM, new Rootfs.Image(image.digest()), run.args(), run.env(),
                run.workingDir(), run.user(), null, run.stopSignal());
    }

    private static long host(long id) {
        return IDS.toHost(id);
    }

    @Test
    void theImagesUserRunsTheProcessItsExecsAndTerminalsWithTheTeamsMappingOfItsIdsGroupsAndHome() throws Exception {
        ContainerSpec spec = spec(null);
        assertThat(spec.user()).isEqualTo("app");
        assertThat(spec.args()).containsExactly("/entrypoint.sh", "/app/serve.sh");
        ContainerInfo info = runtime.create(spec);
        runtime.start(spec.id());
        int pid = info.pid();
        Path marker = Path.of("/proc", String.valueOf(pid), "root", AppImage.MARKER.substring(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(marker));

        assertThat(ProcessIds.status(pid, "Uid")).containsOnly(host(1000));
        assertThat(ProcessIds.status(pid, "Gid")).containsOnly(host(1000));
        assertThat(ProcessIds.status(pid, "Groups")).containsExactly(host(1000), host(2000));
        String environ = Files.readString(Path.of("/proc", String.valueOf(pid), "environ")).replace('\0', '\n');
        assertThat(environ).contains("\nHOME=/home/app\n");
        assertThat(Files.readString(marker)).isEqualTo("1000:1000 /app/serve.sh\n");
        assertThat(Files.getAttribute(marker, "unix:uid")).isEqualTo((int) host(1000));

        assertThat(runtime.exec(spec.id(), ExecSpec.of("id")).stdout()).isEqualTo(AppImage.ID_OF_APP + "\n");
        assertThat(runtime.exec(spec.id(), ExecSpec.of("/bin/sh", "-c", "echo $HOME; pwd")).stdout()).isEqualTo("/home/app\n/home/app\n");
        try (TerminalSession terminal = runtime.openTerminal(spec.id(), List.of("/bin/sh"), 80, 24)) {
            terminal.input().write("id; echo $HOME; exit\n".getBytes(StandardCharsets.UTF_8));
            StringBuilder screen = new StringBuilder();
            Terminal.readUntil(terminal.output(), screen, "/home/app\r\n");
            assertThat(screen).contains(AppImage.ID_OF_APP);
        }
        runtime.remove(spec.id(), true);
    }

    @Test
    void aUserOrGroupTheImageLacksFailsTheCreateAndLeavesNothingOnTheNode() throws Exception {
        for (String user : List.of("ghost", "app:ghosts")) {
            ContainerSpec spec = spec(user);
            assertThatThrownBy(() -> runtime.create(spec)).isInstanceOf(RuntimeFailure.class)
                    .hasMessage("image " + image.digest() + (user.equals("ghost") ? " has no user \"ghost\" in its /etc/passwd"
                            : " has no group \"ghosts\" in its /etc/group"))
                    .extracting(e -> ((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT);
            assertThat(runtime.list()).noneMatch(c -> c.id().equals(spec.id()));
            assertThat(work.resolve("node/containers").resolve(spec.id())).doesNotExist();
            assertThat(work.resolve("node/runc").resolve(spec.id())).doesNotExist();
            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(spec.id());
            for (Map.Entry<String, String> own : TestCgroups.own().entrySet()) {
                assertThat(Path.of("/sys/fs/cgroup", own.getKey()).resolve(own.getValue().substring(1)).resolve(CGROUP_ROOT)
                        .resolve("team-" + TEAM).resolve("ctr-" + spec.id())).doesNotExist();
            }
        }
    }
}
