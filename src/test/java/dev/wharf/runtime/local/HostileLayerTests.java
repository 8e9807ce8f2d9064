package dev.wharf.runtime.local;

import static dev.wharf.runtime.image.TestLayer.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.image.TestLayer;
import dev.wharf.runtime.process.Executables;
import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.BusyboxRootfs;
import dev.wharf.testing.Commands;
import dev.wharf.testing.OciImageBuilder;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRuntimes;
import dev.wharf.testing.WorkDirs;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hostile layers imported into a real runtime and run by a team: a file capability that would
 * give a host user {@code cap_dac_read_search}, a sparse file whose holes are a hundred thousand
 * times its archive, and layers with more files than a layer or an image may have. Each is
 * checked on the host afterwards: the xattr as {@code getcap} reads it, a {@code nobody} process
 * trying the file, and the snapshot directory.
 */
@Tag("root")
class HostileLayerTests {

    static final String CGROUP_ROOT = "wharf-test-" + UUID.randomUUID().toString().substring(0, 8);
    static final long TEAM = 6_201;
    static final IdMapping TEAM_IDS = IdMapping.forTeam(TEAM, 1_000_000);
    static final long MAX_LAYER_ENTRIES = 1_000;
    static final long MAX_IMAGE_ENTRIES = 1_500;
    static Path work;
    static LocalRuntime runtime;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "the runtime tests need root");
        Prerequisites.require(Executables.find("runc").isPresent() && Executables.find("conmon").isPresent(),
                "runc and conmon are not installed");
        Prerequisites.require(BusyboxLayout.available() && Commands.onPath("getcap") && Commands.onPath("setpriv")
                && Commands.onPath("tar"), "busybox-static, umoci, skopeo, getcap (libcap2-bin), setpriv and tar are needed");
        work = WorkDirs.create("wharf-hostile-layer-test-");
        RuntimeSettings defaults = TestRuntimes.settings(work.resolve("node"), CGROUP_ROOT, 1_000_000, Set.of());
        RuntimeSettings settings = new RuntimeSettings(defaults.dataDir(), defaults.cgroupRoot(), defaults.cgroupMount(),
                defaults.idMapBase(), defaults.runc(), defaults.conmon(), defaults.logMaxBytes(), defaults.maxLayerBytes(),
                defaults.maxImageBytes(), defaults.insecureRegistries(), defaults.network(), MAX_LAYER_ENTRIES, MAX_IMAGE_ENTRIES);
        runtime = LocalRuntime.open(settings, Clock.systemUTC());
        runtime.applyTeamLimits(new TeamLimits(TEAM, Resources.UNLIMITED));
    }

    @AfterAll
    static void stop() throws Exception {
        if (runtime != null) {
            TestRuntimes.removeAll(runtime);
            runtime.close();
        }
        TestCgroups.removeTree(CGROUP_ROOT);
        if (work != null) {
            WorkDirs.delete(work);
        }
    }

    @Test
    void aLayersFileCapabilityIsBoundToTheTeamsRootAndGivesAHostUserNothing() throws Exception {
        Path secret = work.resolve("secret");
        Files.writeString(secret, "root's only\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        TarArchiveEntry tool = entry("opt/busybox", TarConstants.LF_NORMAL, 0755);
        // cap_dac_read_search+ep as setcap writes it on the host (v2): read any file
        tool.addPaxHeader("SCHILY.xattr.security.capability", new String(capabilityV2(1 << 2), StandardCharsets.ISO_8859_1));
        tool.addPaxHeader("SCHILY.xattr.security.selinux", "system_u:object_r:bin_t:s0");
        tool.addPaxHeader("SCHILY.xattr.trusted.overlay.redirect", "/etc");
        tool.addPaxHeader("SCHILY.xattr.user.origin", "layer");
        // the host's id (busybox drops a setuid it does not need), setuid to the team's root
        TarArchiveEntry setuid = entry("opt/suid-id", TarConstants.LF_NORMAL, 04755);
        byte[] busybox = Files.readAllBytes(BusyboxRootfs.BUSYBOX);
        byte[] hostId = Files.readAllBytes(Path.of("/usr/bin/id"));
        ImageInfo image = importImage("caps", true, new TestLayer().addData(tool, busybox).addData(setuid, hostId).tar());
        String teamRoot = Long.toString(TEAM_IDS.toHost(0));

        String id = create(image, "/bin/sleep", "60");
        runtime.start(id);
        try {
            String mount = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .filter(line -> line.contains("/" + id + "/bundle/rootfs ") && line.contains(" overlay ")).findFirst().orElseThrow();
            assertThat(mount.split(" ")[5].split(",")).as("the container's root filesystem: " + mount).contains("nosuid", "nodev");
            // a host user who reaches the mounted root filesystem runs its setuid file as itself, never as the team's root
            Path mounted = work.resolve("node/containers").resolve(id).resolve("bundle/rootfs/opt/suid-id");
            Result run = asNobody(mounted.toString(), "-u");
            assertThat(run.output()).doesNotContain(teamRoot);
            if (run.exitCode() == 0) {
                assertThat(run.output()).isEqualTo("65534\n");
            }
        } finally {
            runtime.remove(id, true);
        }
        String ran = create(image, "/opt/busybox", "echo", "ran");
        runtime.start(ran);
        assertThat(awaitExit(ran).exitCode()).as("a container still runs the file").isZero();
        runtime.remove(ran, false);

        Path snapshots = work.resolve("node/snapshots");
        Path unpacked = snapshots.resolve("layer-" + image.layers().get(image.layers().size() - 1).substring(7) + "@"
                + TEAM_IDS.key()).resolve("fs/opt/busybox");
        assertThat(Commands.run(List.of("getcap", "-n", unpacked.toString())).strip())
                .isEqualTo(unpacked + " cap_dac_read_search=ep [rootid=" + TEAM_IDS.toHost(0) + "]");
        assertThat(Files.getPosixFilePermissions(snapshots)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        Result unreachable = asNobody(unpacked.toString(), "cat", secret.toString());
        assertThat(unreachable.exitCode()).isNotZero();
        assertThat(unreachable.output()).doesNotContain("root's only");

        // even where a host user could reach it, the capability is the team root's, not the host's
        List<Path> opened = List.of(work.resolve("node"), snapshots);
        List<String> modes = new ArrayList<>();
        for (Path dir : opened) {
            modes.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        }
        try {
            Path setuidLayer = unpacked.resolveSibling("suid-id");
            assertThat(asNobody(setuidLayer.toString(), "-u").output())
                    .as("outside a nosuid mount the setuid bit works: why the snapshots are root's alone").isEqualTo(teamRoot + "\n");
            assertThat(asNobody(unpacked.toString(), "echo", "ran").output()).as("nobody runs the file").isEqualTo("ran\n");
            Result read = asNobody(unpacked.toString(), "cat", secret.toString());
            assertThat(read.exitCode()).isNotZero();
            assertThat(read.output()).contains("Permission denied").doesNotContain("root's only");
        } finally {
            for (int i = 0; i < opened.size(); i++) {
                Files.setPosixFilePermissions(opened.get(i), PosixFilePermissions.fromString(modes.get(i)));
            }
        }
        runtime.removeImage(TEAM, image.digest());
    }

    @Test
    void aSparseFileBombIsRefusedNamingTheLayerAndLeavesNoSnapshot() throws Exception {
        Path files = Files.createDirectories(work.resolve("sparse"));
        Path bomb = files.resolve("bomb");
        try (var file = new java.io.RandomAccessFile(bomb.toFile(), "rw")) {
            file.setLength(2L << 30); // 2 GiB of hole, past the test runtime's 1 GiB layer limit
            file.seek((2L << 30) - 5);
            file.write("tail\n".getBytes(StandardCharsets.UTF_8));
        }
        Path tar = files.resolve("bomb.tar");
        Commands.run(List.of("tar", "--sparse", "--format=gnu", "-C", files.toString(), "-cf", tar.toString(), "bomb"));
        Files.delete(bomb);
        byte[] layer = Files.readAllBytes(tar);
        assertThat(layer.length).as("a tiny archive").isLessThan(20 * 1024);
        ImageInfo image = importImage("sparse", false, layer);
        String layerDigest = image.layers().get(image.layers().size() - 1);

        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        assertThatThrownBy(() -> runtime.create(spec(id, image, "/bin/true")))
                .isInstanceOfSatisfying(RuntimeFailure.class, f -> assertThat(f.kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT))
                .hasMessageContaining("unpack layer " + layerDigest + ": ")
                .hasMessageContaining("layer entry \"bomb\" is a sparse file of 2147483648 bytes, past the layer's limit of 1073741824 bytes")
                .hasMessageContaining("limits: 1073741824 bytes and " + MAX_LAYER_ENTRIES + " entries a layer");
        assertNothingLeftOf(id, layerDigest);
        runtime.removeImage(TEAM, image.digest());
    }

    @Test
    void aLayerWithMoreEntriesThanALayerMayHaveIsRefused() throws Exception {
        TestLayer many = new TestLayer();
        for (int i = 0; i <= MAX_LAYER_ENTRIES; i++) {
            many.addData(entry("f" + i, TarConstants.LF_NORMAL, 0644), new byte[0]);
        }
        ImageInfo image = importImage("many", false, many.tar());
        String layerDigest = image.layers().get(0);

        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        assertThatThrownBy(() -> runtime.create(spec(id, image, "/bin/true")))
                .isInstanceOfSatisfying(RuntimeFailure.class, f -> assertThat(f.kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT))
                .hasMessageStartingWith("unpack layer " + layerDigest + ": layer has more than 1000 entries");
        assertNothingLeftOf(id, layerDigest);
        runtime.removeImage(TEAM, image.digest());
    }

    @Test
    void layersThatTogetherHaveMoreEntriesThanAnImageMayHaveAreRefused() throws Exception {
        OciImageBuilder builder = OciImageBuilder.start(Files.createDirectories(work.resolve("image-wide")), "t");
        for (String prefix : List.of("a", "b")) {
            TestLayer layer = new TestLayer();
            for (int i = 0; i < 800; i++) {
                layer.addData(entry(prefix + i, TarConstants.LF_NORMAL, 0644), new byte[0]);
            }
            builder.appendZstdLayer(layer.tar());
        }
        ImageInfo image = importLayout(builder.layout(), "image-wide");
        String second = image.layers().get(1);

        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        assertThatThrownBy(() -> runtime.create(spec(id, image, "/bin/true")))
                .isInstanceOfSatisfying(RuntimeFailure.class, f -> assertThat(f.kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT))
                .hasMessageStartingWith("unpack layer " + second + ": layer has more than 700 entries")
                .hasMessageContaining(MAX_IMAGE_ENTRIES + " entries an image");
        assertNothingLeftOf(id, second);
        runtime.removeImage(TEAM, image.digest());
    }

    /** The refused create left no container, no snapshot of the layer and no temporary directory. */
    private static void assertNothingLeftOf(String id, String layerDigest) throws IOException {
        assertThat(runtime.list()).extracting(ContainerInfo::id).doesNotContain(id);
        try (Stream<Path> left = Files.list(work.resolve("node/snapshots"))) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .noneMatch(name -> name.startsWith(".tmp-"))
                    .noneMatch(name -> name.startsWith("layer-" + layerDigest.substring(7)));
        }
    }

    /** Busybox (when {@code withBusybox}) with {@code tar} on top, imported from an OCI archive made by skopeo. */
    private static ImageInfo importImage(String name, boolean withBusybox, byte[] tar) throws Exception {
        OciImageBuilder builder = OciImageBuilder.start(Files.createDirectories(work.resolve(name)), "t");
        if (withBusybox) {
            BusyboxRootfs.create(builder.rootfs());
            builder.commit();
        }
        builder.appendZstdLayer(tar);
        return importLayout(builder.layout(), name);
    }

    private static ImageInfo importLayout(Path layout, String name) throws Exception {
        Path archive = work.resolve(name + ".tar");
        Commands.run(List.of("skopeo", "copy", "--quiet", "oci:" + layout + ":t", "oci-archive:" + archive + ":hostile/" + name + ":1"));
        try (InputStream in = Files.newInputStream(archive)) {
            return runtime.importImage(TEAM, in);
        }
    }

    /** A {@code vfs_cap_data} v2 with the effective flag and {@code permitted} as the low 32 capabilities. */
    private static byte[] capabilityV2(int permitted) {
        return ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putInt(0x0200_0001).putInt(permitted).putInt(0).putInt(0)
                .putInt(0).array();
    }

    private static ContainerSpec spec(String id, ImageInfo image, String... args) {
        return new ContainerSpec(id, "h-" + id.substring(0, 6), TEAM, new Rootfs.Image(image.digest()), List.of(args), null, null,
                null, null, null);
    }

    private static String create(ImageInfo image, String... args) {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        runtime.create(spec(id, image, args));
        return id;
    }

    private static ContainerInfo awaitExit(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (runtime.inspect(id).state() != ContainerState.EXITED && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return runtime.inspect(id);
    }

    record Result(int exitCode, String output) {
    }

    /** Runs {@code command} as uid and gid 65534 with no supplementary groups. */
    private static Result asNobody(String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }
}
