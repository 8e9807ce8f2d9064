package dev.wharf.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.process.Executables;
import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.api.VolumeInfo;
import dev.wharf.runtime.api.VolumeMount;
import dev.wharf.runtime.linux.LinuxSyscalls;
import dev.wharf.runtime.volume.LoopVolumes;
import dev.wharf.testing.BusyboxRootfs;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestRuntimes;
import dev.wharf.testing.WorkDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Volumes hold no more than their size, on this host's kernel: a container that writes past a
 * volume's size gets {@code ENOSPC}, the host's disk holds at most the size for it, and a
 * removed volume leaves no loop device, mount or file. Needs root; runs for real in CI.
 */
@Tag("root")
class VolumeLimitTests {

    static final long MiB = 1024 * 1024;
    static final String CGROUP_ROOT = "wharf-test-" + UUID.randomUUID().toString().substring(0, 8);
    static Path dataDir;
    static Path rootfs;
    static RuntimeSettings settings;
    static LocalRuntime runtime;

    /** ids the contract tests do not use, whose mapped ranges still fit below 2^32 */
    final long team = 64_100 + (long) (Math.random() * 500);
    final List<String> containers = new java.util.ArrayList<>();

    @BeforeAll
    static void openRuntime() throws Exception {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "the runtime tests need root");
        Prerequisites.require(Executables.find("runc").isPresent() && Executables.find("conmon").isPresent(),
                "runc and conmon are not installed");
        Prerequisites.require(Executables.find("mkfs.ext4").isPresent(), "e2fsprogs is not installed");
        Prerequisites.require(BusyboxRootfs.available(), "busybox-static is not installed");
        dataDir = WorkDirs.create("wharf-volume-test-");
        rootfs = BusyboxRootfs.create(Files.createDirectories(dataDir.resolve("busybox")));
        settings = TestRuntimes.settings(dataDir.resolve("node"), CGROUP_ROOT, 1_000_000, java.util.Set.of());
        runtime = LocalRuntime.open(settings, Clock.systemUTC());
        assertThat(runtime.status().problems()).isEmpty();
    }

    @AfterEach
    void removeContainers() {
        for (String id : containers) {
            try {
                runtime.remove(id, true);
            } catch (RuntimeFailure gone) {
                // removed by the test
            }
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (runtime != null) {
            TestRuntimes.removeAll(runtime);
            runtime.close();
        }
        TestCgroups.removeTree(CGROUP_ROOT);
        WorkDirs.delete(dataDir);
    }

    @Test
    void writesPastAVolumesSizeFailWithNoSpaceAndTheHostHoldsAtMostItsSize() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(team, Resources.UNLIMITED));
        String name = "small-" + UUID.randomUUID().toString().substring(0, 6);
        runtime.createVolume(team, name, MiB);
        Path dir = volumeDir(name);
        Path image = LoopVolumes.image(dir);
        assertThat(mountsAt(dir)).as("the volume is a filesystem of its own").isEqualTo(1);
        assertThat(Files.size(image)).isEqualTo(MiB);
        assertThat(Integer.toUnsignedLong((Integer) Files.getAttribute(dir, "unix:uid"))).as("its root belongs to the team's mapped root")
                .isEqualTo(dev.wharf.runtime.api.IdMapping.forTeam(team, 1_000_000).hostBase());
        assertThat(dir.resolve("lost+found")).doesNotExist();

        // the attack: 20 MiB into a 1 MiB volume, in big writes and then in small ones that fill it to the last block
        ContainerInfo writer = run(name, "dd if=/dev/zero of=/data/f bs=1M count=20; echo big=$?;"
                + " dd if=/dev/zero of=/data/g bs=4k count=5120; echo small=$?; ls -l /data");
        assertThat(awaitExit(writer.id()).exitCode()).isZero();
        String log = runtime.logs(writer.id(), dev.wharf.runtime.api.LogQuery.ALL).map(l -> l.text()).collect(Collectors.joining("\n"));
        assertThat(log).contains("No space left on device").contains("big=1").contains("small=1");

        long onDisk = allocatedBytes(image);
        assertThat(onDisk).as("the image's blocks on the host's disk").isLessThanOrEqualTo(MiB);
        LinuxSyscalls.StatFs fs = LinuxSyscalls.jna().statfs(dir.toString());
        assertThat(fs.blocks() * fs.blockSize()).isLessThanOrEqualTo(MiB);
        assertThat(fs.blocksAvailable()).as("the volume is full").isLessThan(16);
        VolumeInfo volume = runtime.volumes(team).stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
        assertThat(volume.usedBytes()).isGreaterThan(MiB / 2).isLessThanOrEqualTo(MiB);
        assertThat(volume.overSize()).isFalse();

        runtime.remove(writer.id(), false);
        runtime.removeVolume(team, name);
        assertThat(dir).doesNotExist();
        assertThat(image).doesNotExist();
        assertThat(dir.resolveSibling(name + ".size")).doesNotExist();
        assertThat(mountsAt(dir)).isZero();
        awaitNoLoopDevice(image);
    }

    @Test
    void aRestartedRuntimeKeepsItsVolumesMountedWithTheirDataAndMountsThemAgainAfterAReboot() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(team, Resources.UNLIMITED));
        String name = "kept-" + UUID.randomUUID().toString().substring(0, 6);
        runtime.createVolume(team, name, 2 * MiB);
        Path dir = volumeDir(name);
        ContainerInfo writer = run(name, "echo kept > /data/note");
        assertThat(awaitExit(writer.id()).exitCode()).isZero();
        runtime.remove(writer.id(), false);
        ContainerInfo holder = run(name, "sleep 300");

        runtime.close();
        runtime = LocalRuntime.open(settings, Clock.systemUTC());
        assertThat(mountsAt(dir)).as("mounted once, not again on top").isEqualTo(1);
        ExecResult read = runtime.exec(holder.id(), new ExecSpec(List.of("/bin/sh", "-c", "cat /data/note; echo more > /data/more"),
                null, null, Duration.ofSeconds(10)));
        assertThat(read.stdout()).isEqualTo("kept\n");
        assertThat(Files.readString(dir.resolve("more"))).as("the running container and the host share the volume").isEqualTo("more\n");
        runtime.remove(holder.id(), true);

        // a reboot: nothing is mounted when the runtime starts
        runtime.close();
        runtime.unmountVolumes();
        assertThat(mountsAt(dir)).isZero();
        assertThat(dir.resolve("note")).doesNotExist();
        runtime = LocalRuntime.open(settings, Clock.systemUTC());
        assertThat(mountsAt(dir)).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("note"))).isEqualTo("kept\n");
        ContainerInfo reader = run(name, "cat /data/note /data/more");
        assertThat(awaitExit(reader.id()).exitCode()).isZero();
        runtime.remove(reader.id(), false);
        runtime.removeVolume(team, name);
        assertThat(mountsAt(dir)).isZero();
        awaitNoLoopDevice(LoopVolumes.image(dir));
    }

    @Test
    void aVolumeBelowTheSmallestSizeOrBeyondTheDiskIsRefusedAndLeavesNothing() throws Exception {
        runtime.applyTeamLimits(new TeamLimits(team, Resources.UNLIMITED));
        assertThatThrownBy(() -> runtime.createVolume(team, "tiny", 64 * 1024)).isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining("at least 256 KiB")
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT));
        assertThatThrownBy(() -> runtime.createVolume(team, "huge", Long.MAX_VALUE / 2)).isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining("more than this node's disk")
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT));
        assertThat(runtime.volumes(team)).isEmpty();
        try (Stream<Path> left = Files.list(volumeDir("x").getParent())) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aFilesystemOrMountThatFailsHalfwayLeavesNoImageLoopDeviceOrDirectory() throws Exception {
        Path teamDir = Files.createDirectories(dataDir.resolve("halfway"));
        Path dir = teamDir.resolve("v");
        LoopVolumes noMkfs = new LoopVolumes("/bin/false", Executables.find("mount").orElseThrow().toString(), LinuxSyscalls.jna());
        assertThatThrownBy(() -> noMkfs.create(dir, MiB, 0, 0)).isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining("cannot make the filesystem of volume v").hasMessageNotContaining(teamDir.toString());
        assertThat(teamDir).isEmptyDirectory();

        LoopVolumes noMount = new LoopVolumes(Executables.find("mkfs.ext4").orElseThrow().toString(), "/bin/false", LinuxSyscalls.jna());
        assertThatThrownBy(() -> noMount.create(dir, MiB, 0, 0)).isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining("cannot mount volume v");
        assertThat(teamDir).isEmptyDirectory();

        // a real mount that fails: the image is not ext4 when mount runs (a filesystem tool that "succeeds" without making one)
        LoopVolumes badImage = new LoopVolumes("/bin/true", Executables.find("mount").orElseThrow().toString(), LinuxSyscalls.jna());
        assertThatThrownBy(() -> badImage.create(dir, MiB, 0, 0)).isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining("cannot mount volume v");
        assertThat(teamDir).isEmptyDirectory();
        assertThat(mountsAt(dir)).isZero();
        awaitNoLoopDevice(LoopVolumes.image(dir));
    }

    private Path volumeDir(String name) {
        return settings.dataDir().toAbsolutePath().resolve("volumes").resolve("team-" + team).resolve(name);
    }

    private ContainerInfo run(String volume, String script) {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        ContainerSpec spec = new ContainerSpec(id, "v-" + id.substring(0, 6), team, new Rootfs.Directory(rootfs),
                List.of("/bin/sh", "-c", script), null, null, null, Resources.UNLIMITED, null, List.of(new VolumeMount(volume, "/data", false)));
        runtime.create(spec);
        containers.add(id);
        return runtime.start(id);
    }

    private static ContainerInfo awaitExit(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        ContainerInfo info = runtime.inspect(id);
        while (info.state() != dev.wharf.runtime.api.ContainerState.EXITED && System.nanoTime() < deadline) {
            Thread.sleep(20);
            info = runtime.inspect(id);
        }
        assertThat(info.state()).as("container %s exited", id).isEqualTo(dev.wharf.runtime.api.ContainerState.EXITED);
        return info;
    }

    static long mountsAt(Path dir) throws IOException {
        String point = dir.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.split(" ")[4].equals(point)).count();
    }

    /** Bytes the file's blocks take on the host's disk ({@code stat %b}, 512-byte units). */
    static long allocatedBytes(Path file) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b", file.toString()).start();
        String out = new String(stat.getInputStream().readAllBytes()).strip();
        assertThat(stat.waitFor()).isZero();
        return Long.parseLong(out) * 512;
    }

    /** The kernel may free an auto-clearing loop device a moment after the unmount. */
    static void awaitNoLoopDevice(Path image) throws Exception {
        String out = "";
        for (int i = 0; i < 50; i++) {
            Process losetup = new ProcessBuilder("losetup", "-a").redirectErrorStream(true).start();
            out = new String(losetup.getInputStream().readAllBytes()).strip();
            losetup.waitFor();
            if (!out.contains(image.toString())) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("a loop device still holds " + image + ": " + out);
    }
}
