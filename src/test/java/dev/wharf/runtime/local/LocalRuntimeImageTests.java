package dev.wharf.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.process.Executables;
import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.PullProgress;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.WorkDirs;
import dev.wharf.testing.Commands;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRuntimes;
import dev.wharf.testing.TestRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Images end to end on this host: pulled from a real registry (Debian's docker-registry on
 * loopback) or imported from archives made by skopeo, unpacked once, run by two teams, and
 * removed with their content once nothing uses them.
 */
@Tag("root")
class LocalRuntimeImageTests {

    static final String CGROUP_ROOT = "wharf-test-" + UUID.randomUUID().toString().substring(0, 8);
    static Path work;
    static Path layout;
    static TestRegistry registry;
    static LocalRuntime runtime;
    static final long TEAM_A = 61_001;
    static final long TEAM_B = 61_002;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "the runtime tests need root");
        Prerequisites.require(Executables.find("runc").isPresent() && Executables.find("conmon").isPresent(),
                "runc and conmon are not installed");
        Prerequisites.require(BusyboxLayout.available() && TestRegistry.available(),
                "busybox-static, umoci, skopeo and docker-registry are not installed");
        work = WorkDirs.create("wharf-image-test-");
        layout = BusyboxLayout.create(Files.createDirectories(work.resolve("image")));
        registry = TestRegistry.start(Files.createDirectories(work.resolve("registry")));
        registry.push("oci:" + layout + ":" + BusyboxLayout.MULTI, "team/busybox:1", "--all");
        runtime = LocalRuntime.open(TestRuntimes.settings(work.resolve("node"), CGROUP_ROOT, 1_000_000, Set.of(registry.host())), Clock.systemUTC());
        runtime.applyTeamLimits(new TeamLimits(TEAM_A, Resources.UNLIMITED));
        runtime.applyTeamLimits(new TeamLimits(TEAM_B, Resources.UNLIMITED));
    }

    @AfterAll
    static void stop() throws Exception {
        if (runtime != null) {
            TestRuntimes.removeAll(runtime);
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

    private static ContainerInfo run(long team, String image, String... args) {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        runtime.create(new ContainerSpec(id, "i-" + id.substring(0, 6), team, new Rootfs.Image(image), List.of(args), null, null,
                null, null, null));
        return runtime.start(id);
    }

    private static ContainerInfo awaitExit(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (runtime.inspect(id).state() != ContainerState.EXITED && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return runtime.inspect(id);
    }

    @Test
    void aPulledImageRunsForTwoTeamsAndGoesOnlyWhenUnused() throws Exception {
        List<PullProgress> progress = new CopyOnWriteArrayList<>();
        ImageInfo image = runtime.pullImage(TEAM_A, registry.host() + "/team/busybox:1", host -> null, progress::add);
        assertThat(image.references()).containsExactly(registry.host() + "/team/busybox:1");
        assertThat(image.config().cmd()).containsExactly("/bin/sh");
        assertThat(image.config().workingDir()).isEqualTo("/root");
        assertThat(progress).isNotEmpty().allSatisfy(p -> assertThat(p.done()).isLessThanOrEqualTo(p.total()));
        assertThat(progress).anySatisfy(p -> assertThat(p.done()).isEqualTo(p.total()).isPositive());
        assertThat(runtime.images(TEAM_A)).extracting(ImageInfo::digest).contains(image.digest());
        assertThat(runtime.images(TEAM_B)).extracting(ImageInfo::digest).doesNotContain(image.digest());
        // team B holds it only once it pulled it itself (its layers are checked with the registry, not downloaded again)
        assertThat(runtime.pullImage(TEAM_B, registry.host() + "/team/busybox:1", host -> null, p -> { }).digest())
                .isEqualTo(image.digest());

        ContainerInfo a = run(TEAM_A, image.digest(), "/bin/sh", "-c", "echo from-image > /tmp/mark; cat /tmp/mark; id -u");
        ContainerInfo b = run(TEAM_B, image.digest(), "/bin/sh", "-c", "cat /tmp/mark 2>&1; true");
        assertThat(awaitExit(a.id()).exitCode()).isZero();
        assertThat(awaitExit(b.id()).exitCode()).isZero();
        try (var lines = runtime.logs(a.id(), dev.wharf.runtime.api.LogQuery.ALL)) {
            assertThat(lines.map(l -> l.text()).toList()).containsExactly("from-image", "0");
        }
        try (var lines = runtime.logs(b.id(), dev.wharf.runtime.api.LogQuery.ALL)) {
            assertThat(lines.map(l -> l.text()).toList().get(0)).contains("No such file");
        }
        // each team has its own unpacked copy, owned by its own id range; each layer is unpacked once per team
        Path snapshots = work.resolve("node/snapshots");
        try (Stream<Path> keys = Files.list(snapshots)) {
            assertThat(keys.map(p -> p.getFileName().toString()).filter(k -> k.startsWith("layer-")).toList())
                    .hasSize(2 * image.layers().size());
        }

        // a refusal names only the caller's own containers
        assertThatThrownBy(() -> runtime.removeImage(TEAM_A, image.digest())).isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining("is used by 1 container(s): " + a.name()).hasMessageNotContaining(b.name())
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.FAILED_PRECONDITION));
        runtime.remove(a.id(), true);
        runtime.removeImage(TEAM_A, image.digest());
        assertThat(runtime.images(TEAM_A)).extracting(ImageInfo::digest).doesNotContain(image.digest());
        // team B still holds it and its container still uses it: nothing of it left the node
        assertThat(runtime.images(TEAM_B)).extracting(ImageInfo::digest).contains(image.digest());
        runtime.remove(b.id(), true);
        runtime.removeImage(TEAM_B, image.digest());
        assertThat(runtime.images(TEAM_B)).extracting(ImageInfo::digest).doesNotContain(image.digest());
        try (Stream<Path> keys = Files.list(snapshots)) {
            assertThat(keys.map(p -> p.getFileName().toString()).filter(k -> k.startsWith("layer-"))).isEmpty();
        }
        for (String layer : image.layers()) {
            assertThat(work.resolve("node/content/blobs/sha256").resolve(layer.substring(7))).doesNotExist();
        }
    }

    @Test
    void pullErrorsNameTheReference() {
        assertThatThrownBy(() -> runtime.pullImage(TEAM_A, registry.host() + "/team/busybox:nope", null, p -> { }))
                .isInstanceOf(RuntimeFailure.class).hasMessageContaining("team/busybox:nope")
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.NOT_FOUND));
        assertThatThrownBy(() -> runtime.pullImage(TEAM_A, "Not A Reference", host -> null, p -> { })).isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT));
        assertThatThrownBy(() -> runtime.create(new ContainerSpec("noimage1", "noimage", TEAM_A,
                new Rootfs.Image("sha256:" + "0".repeat(64)), List.of("/bin/true"), null, null, null, null, null)))
                .isInstanceOf(RuntimeFailure.class).hasMessageContaining("not on this node");
    }

    @Test
    void dockerSaveAndOciArchivesImport() throws Exception {
        Path dockerArchive = work.resolve("busybox-docker.tar");
        Path ociArchive = work.resolve("busybox-oci.tar");
        Commands.run(List.of("skopeo", "copy", "--quiet", "oci:" + layout + ":" + BusyboxLayout.AMD64,
                "docker-archive:" + dockerArchive + ":example/busybox:saved"));
        Commands.run(List.of("skopeo", "copy", "--quiet", "oci:" + layout + ":" + BusyboxLayout.AMD64,
                "oci-archive:" + ociArchive + ":busybox:oci"));
        ImageInfo fromDocker;
        try (InputStream in = Files.newInputStream(dockerArchive)) {
            fromDocker = runtime.importImage(TEAM_A, in);
        }
        assertThat(fromDocker.references()).containsExactly("docker.io/example/busybox:saved");
        ImageInfo fromOci;
        try (InputStream in = Files.newInputStream(ociArchive)) {
            fromOci = runtime.importImage(TEAM_A, in);
        }
        for (ImageInfo image : List.of(fromDocker, fromOci)) {
            ContainerInfo info = run(TEAM_A, image.digest(), "/bin/sh", "-c", "echo imported");
            assertThat(awaitExit(info.id()).exitCode()).isZero();
            runtime.remove(info.id(), false);
        }
        assertThatThrownBy(() -> runtime.importImage(TEAM_A, new java.io.ByteArrayInputStream("not a tar".getBytes())))
                .isInstanceOf(RuntimeFailure.class)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT));
        runtime.removeImage(TEAM_A, fromDocker.digest());
        if (!fromOci.digest().equals(fromDocker.digest())) {
            runtime.removeImage(TEAM_A, fromOci.digest());
        }
    }
}
