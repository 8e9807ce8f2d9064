package dev.wharf.runtime.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.runtime.process.Executables;
import dev.wharf.runtime.api.ContainerDefaults;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.registry.Platform;
import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.WorkDirs;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.RichImage;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRuntimes;
import dev.wharf.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An image whose layers use what real images use (hard links, symlinks, setuid, whiteouts, an
 * opaque directory, a zstd layer; see {@link RichImage}), pulled from a real registry through an
 * image index, run by a team with the image's defaults, and looked at from inside the container
 * and from the host.
 */
@Tag("root")
class LocalRuntimeRichImageTests {

    static final String CGROUP_ROOT = "wharf-test-" + UUID.randomUUID().toString().substring(0, 8);
    static final long ID_MAP_BASE = 1_000_000;
    static final long TEAM = 61_003;
    static Path work;
    static Path layout;
    static TestRegistry registry;
    static LocalRuntime runtime;

    /** What the container sees under /data, from a shell in it; PID 1's command line, directory and environment last. */
    static final String SCRIPT = """
            cd /data && find . | sort
            cat hello.txt rel abs dir/new.txt opaque/z.txt zstd.txt
            readlink rel; readlink abs
            stat -c '%n %a %u:%g %h' suid owned link-a
            [ "$(stat -c %i link-a)" = "$(stat -c %i link-b)" ] && echo link-a and link-b share an inode
            xargs -0 echo < /proc/1/cmdline; readlink /proc/1/cwd; tr '\\0' '\\n' < /proc/1/environ | grep -E '^(PATH|GREETING)=' | sort
            """;
    static final String SEEN = """
            .
            ./abs
            ./dir
            ./dir/new.txt
            ./hello.txt
            ./link-a
            ./link-b
            ./opaque
            ./opaque/z.txt
            ./owned
            ./rel
            ./suid
            ./zstd.txt
            hello
            hello
            hello
            new
            z
            from the zstd layer
            hello.txt
            /data/hello.txt
            suid 4755 0:0 1
            owned 644 1000:1000 1
            link-a 644 0:0 2
            link-a and link-b share an inode
            /bin/sleep 3600
            /data
            GREETING=from-request
            PATH=/bin
            """;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "the runtime tests need root");
        Prerequisites.require(Executables.find("runc").isPresent() && Executables.find("conmon").isPresent(),
                "runc and conmon are not installed");
        Prerequisites.require(RichImage.available() && TestRegistry.available(),
                "busybox-static, umoci, skopeo and docker-registry are not installed");
        work = WorkDirs.create("wharf-rich-image-test-");
        layout = RichImage.create(Files.createDirectories(work.resolve("image")));
        registry = TestRegistry.start(Files.createDirectories(work.resolve("registry")));
        registry.push("oci:" + layout + ":" + hostTag(), "team/rich:1");
        registry.push("oci:" + layout + ":" + BusyboxLayout.MULTI, "team/rich:multi", "--all");
        runtime = LocalRuntime.open(TestRuntimes.settings(work.resolve("node"), CGROUP_ROOT, ID_MAP_BASE, Set.of(registry.host())), Clock.systemUTC());
        runtime.applyTeamLimits(new TeamLimits(TEAM, Resources.UNLIMITED));
    }

    @AfterAll
    static void stop() throws Exception {
        if (runtime != null) {
            TestRuntimes.removeAll(runtime);
            for (ImageInfo image : runtime.images(TEAM)) {
                runtime.removeImage(TEAM, image.digest());
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

    /** The layout's tag of this host's architecture. */
    private static String hostTag() {
        return Platform.host().architecture().equals(BusyboxLayout.ARM64) ? BusyboxLayout.ARM64 : BusyboxLayout.AMD64;
    }

    @Test
    void aContainerSeesExactlyWhatTheLayersLeaveAndTheHostSeesTheTeamsIds() throws Exception {
        ImageInfo image = runtime.pullImage(TEAM, registry.host() + "/team/rich:multi", host -> null, progress -> { });
        assertThat(image.digest()).isEqualTo(BusyboxLayout.digest(layout, hostTag()));
        assertThat(runtime.pullImage(TEAM, registry.host() + "/team/rich:1", host -> null, progress -> { }).references())
                .containsExactly(registry.host() + "/team/rich:multi", registry.host() + "/team/rich:1");
        JsonNode manifest = JsonMapper.builder().build().readTree(work.resolve("node/content/blobs/sha256")
                .resolve(image.digest().substring(7)).toFile());
        assertThat(manifest.path("layers").valueStream().map(layer -> layer.path("mediaType").asString())).containsExactly(
                "application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar+gzip",
                "application/vnd.oci.image.layer.v1.tar+zstd");
        assertThat(image.config()).isEqualTo(new ImageInfo.ImageConfig(List.of("/bin/sleep"), List.of("3600"),
                List.of("PATH=/bin", "GREETING=hello"), "/data", null, "SIGQUIT", List.of("80/tcp", "8443/tcp")));

        ContainerDefaults.Resolved run = ContainerDefaults.resolve(image.references().get(0), image.config(),
                new ContainerDefaults.Request(null, List.of(), Map.of("GREETING", "from-request"), null, null, null));
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        runtime.create(new ContainerSpec(id, "rich-" + id.substring(0, 6), TEAM, new Rootfs.Image(image.digest()), run.args(),
                run.env(), run.workingDir(), run.user(), null, run.stopSignal()));
        runtime.start(id);
        ExecResult seen = runtime.exec(id, ExecSpec.of("/bin/sh", "-c", SCRIPT));
        assertThat(seen.stderr()).isEmpty();
        assertThat(seen.stdout()).isEqualTo(SEEN);
        assertThat(seen.exitCode()).isZero();

        // each layer is unpacked once for the team, every file owned by the team's ids
        IdMapping ids = IdMapping.forTeam(TEAM, ID_MAP_BASE);
        List<Path> layers = image.layers().stream()
                .map(layer -> work.resolve("node/snapshots/layer-" + layer.substring(7) + "@" + ids.key() + "/fs")).toList();
        for (Path layer : layers) {
            try (Stream<Path> files = Files.walk(layer)) {
                assertThat(files.toList()).allSatisfy(file -> {
                    assertThat((int) Files.getAttribute(file, "unix:uid", NOFOLLOW_LINKS)).isBetween((int) ids.toHost(0),
                            (int) ids.toHost(IdMapping.TEAM_SIZE - 1));
                    assertThat((int) Files.getAttribute(file, "unix:gid", NOFOLLOW_LINKS)).isBetween((int) ids.toHost(0),
                            (int) ids.toHost(IdMapping.TEAM_SIZE - 1));
                });
            }
        }
        assertThat(Files.getAttribute(layers.get(0).resolve("data/hello.txt"), "unix:uid")).isEqualTo((int) ids.toHost(0));
        assertThat(Files.getAttribute(layers.get(0).resolve("data/owned"), "unix:uid")).isEqualTo((int) ids.toHost(1000));
        assertThat(Files.getAttribute(layers.get(0).resolve("data/owned"), "unix:gid")).isEqualTo((int) ids.toHost(1000));
        assertThat((int) Files.getAttribute(layers.get(0).resolve("data/suid"), "unix:mode") & 07777).isEqualTo(04755);
        assertThat(Files.getAttribute(layers.get(2).resolve("data/zstd.txt"), "unix:uid")).isEqualTo((int) ids.toHost(0));

        runtime.remove(id, true);
        runtime.removeImage(TEAM, image.digest());
        assertThat(runtime.images(TEAM)).isEmpty();
        try (Stream<Path> keys = Files.list(work.resolve("node/snapshots"))) {
            assertThat(keys.map(p -> p.getFileName().toString()).filter(k -> k.startsWith("layer-"))).isEmpty();
        }
    }
}
