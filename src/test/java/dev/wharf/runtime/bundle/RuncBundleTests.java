package dev.wharf.runtime.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.testing.Prerequisites;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/** Runs the generated bundles with the real runc on a busybox root filesystem. */
@Tag("root")
class RuncBundleTests {

    private static final Path RUNC = Path.of("/usr/sbin/runc");
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    private static final String CGROUP_PARENT = "wharf-bundle-test";
    private static final IdMapping IDS = IdMapping.forTeam(4000, 1_000_000);
    /** CapEff of a process holding exactly {@link OciSpecBuilder#CAPABILITIES}. */
    private static final String DOCKER_CAPS_MASK = "00000000a80425fb";

    @TempDir
    Path tmp;

    private final List<String> started = new ArrayList<>();
    private Path bundle;
    private Path state;

    private record Run(int exitCode, String stdout, String stderr) {
    }

    @BeforeEach
    void busyboxBundle() throws IOException {
        Prerequisites.require(isRoot() && Files.isExecutable(RUNC) && Files.isExecutable(BUSYBOX),
                "runc bundle tests need root, " + RUNC + " and " + BUSYBOX + " (package busybox-static)");
        // the container's root is an unprivileged host uid: it must be able to reach the bundle
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        bundle = Files.createDirectory(tmp.resolve("bundle"));
        state = tmp.resolve("runc-state");
        Path rootfs = bundle.resolve("rootfs");
        for (String dir : List.of("bin", "proc", "dev", "sys", "etc", "tmp")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"));
        Files.createSymbolicLink(rootfs.resolve("bin/sh"), Path.of("busybox"));
        try (Stream<Path> files = Files.walk(rootfs)) {
            for (Path file : files.toList()) {
                Files.setAttribute(file, "unix:uid", (int) IDS.hostBase(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(file, "unix:gid", (int) IDS.hostBase(), LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    @AfterEach
    void removeContainersAndCgroups() throws IOException, InterruptedException {
        if (started.isEmpty()) {
            return;
        }
        for (String id : started) {
            runc(List.of("delete", "-f", id));
        }
        for (Path parent : ownCgroups()) {
            Path dir = parent.resolve(CGROUP_PARENT);
            if (Files.isDirectory(dir)) {
                for (String id : started) {
                    Files.deleteIfExists(dir.resolve(id));
                }
                try (Stream<Path> left = Files.list(dir).filter(Files::isDirectory)) {
                    if (left.findAny().isEmpty()) {
                        Files.delete(dir);
                    }
                }
            }
        }
    }

    @Test
    void aContainerRunsAsMappedRootWithDockersCapabilitiesAndItsLimits() throws Exception {
        Path files = Files.createDirectory(tmp.resolve("files"));
        Path hosts = Files.writeString(files.resolve("hosts"), "127.0.0.1 localhost\n10.88.0.7 web-1\n");
        Path resolv = Files.writeString(files.resolve("resolv.conf"), "nameserver 10.88.0.1\n");
        Path hostname = Files.writeString(files.resolve("hostname"), "web-1\n");
        Files.setPosixFilePermissions(files, PosixFilePermissions.fromString("rwxr-xr-x"));
        String script = "id -u; grep CapEff /proc/self/status; hostname; grep web-1 /etc/hosts; cat /etc/resolv.conf;"
                + " cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max;"
                + " cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max;"
                + " cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d' ' -f1 /sys/fs/cgroup/cpu.max;"
                + " echo x > /etc/hosts || echo hosts-read-only; echo $GREETING; echo ok";
        ContainerSpec spec = spec(script, new Resources(0.5, 64L * 1024 * 1024, 32L));

        Run run = run(spec.id(), new OciSpecBuilder().build(request(spec, hosts, resolv, hostname)));

        assertThat(run.exitCode()).as("runc run: %s", run.stderr()).isZero();
        assertThat(run.stdout().lines().toList()).containsExactly("0", "CapEff:\t" + DOCKER_CAPS_MASK, "web-1",
                "10.88.0.7 web-1", "nameserver 10.88.0.1", "32", "67108864", "50000", "hosts-read-only", "hello", "ok");
    }

    @Test
    void seccompRefusesWhatDockerRefuses() throws Exception {
        String script = "unshare -U true; echo unshare=$?";
        ContainerSpec first = spec(script, Resources.UNLIMITED);
        ContainerSpec second = spec(script, Resources.UNLIMITED);

        Run confined = run(first.id(), new OciSpecBuilder().build(request(first, null, null, null)));
        ObjectNode withoutProfile = new OciSpecBuilder().build(request(second, null, null, null));
        ((ObjectNode) withoutProfile.get("linux")).remove("seccomp");
        Run unconfined = run(second.id(), withoutProfile);

        assertThat(confined.stdout()).as("stderr: %s", confined.stderr()).contains("unshare=1");
        assertThat(confined.stderr()).contains("Operation not permitted");
        assertThat(unconfined.stdout()).as("the same command without the profile, stderr: %s", unconfined.stderr())
                .contains("unshare=0");
    }

    private static ContainerSpec spec(String script, Resources resources) {
        return new ContainerSpec("ctr" + UUID.randomUUID().toString().replace("-", "").substring(0, 12), "web-1", 4000,
                new Rootfs.Directory(Path.of("/unused")), List.of("/bin/sh", "-c", script), Map.of("GREETING", "hello"),
                null, null, resources, null);
    }

    private static BundleRequest request(ContainerSpec spec, Path hosts, Path resolv, Path hostname) {
        return new BundleRequest(spec, ProcessUser.ofNumbers(spec.user()), IDS, CGROUP_PARENT + "/" + spec.id(), hosts, resolv, hostname);
    }

    /** Writes the config and runs it to the end with {@code runc run}. */
    private Run run(String id, ObjectNode config) throws IOException, InterruptedException {
        Files.writeString(bundle.resolve("config.json"), config.toPrettyString());
        started.add(id);
        return runc(List.of("run", "--bundle", bundle.toString(), id));
    }

    private Run runc(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(RUNC.toString(), "--root", state.toString()));
        command.addAll(args);
        String name = UUID.randomUUID().toString();
        Path stdout = tmp.resolve(name + ".out");
        Path stderr = tmp.resolve(name + ".err");
        Process process = new ProcessBuilder(command).redirectInput(new File("/dev/null")).redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile()).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", command) + " did not finish in 30 s: " + Files.readString(stderr));
        }
        return new Run(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
    }

    /** This JVM's own cgroup in every hierarchy: runc puts a relative cgroupsPath under each. */
    private static List<Path> ownCgroups() throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] fields = line.split(":", 3);
            String own = fields[2].substring(1);
            if (fields[1].isEmpty()) {
                Path unified = Files.exists(CGROUP_ROOT.resolve("cgroup.controllers")) ? CGROUP_ROOT : CGROUP_ROOT.resolve("unified");
                dirs.add(unified.resolve(own));
            } else {
                dirs.add(CGROUP_ROOT.resolve(fields[1].replace("name=", "")).resolve(own));
            }
        }
        return dirs;
    }

    private static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
