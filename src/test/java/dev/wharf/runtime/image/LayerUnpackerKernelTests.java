package dev.wharf.runtime.image;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.linux.LinuxSyscalls;
import dev.wharf.testing.BusyboxRootfs;
import dev.wharf.testing.Commands;
import dev.wharf.testing.Prerequisites;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unpacker with the real kernel calls, as the runtime runs it (root): owners shifted into a
 * team's ids, whiteouts as real device nodes and xattrs, and an overlay mount that agrees with them.
 */
@Tag("root")
class LayerUnpackerKernelTests {

    static final IdMapping TEAM_3 = IdMapping.forTeam(3, 1_000_000);
    static final long LIMIT = 64L * 1024 * 1024;

    final LinuxSyscalls syscalls = LinuxSyscalls.jna();
    final LayerUnpacker unpacker = new LayerUnpacker(syscalls);

    @TempDir
    Path temp;

    @BeforeEach
    void root() {
        Prerequisites.require(syscalls.geteuid() == 0, "the layer unpacker's kernel tests need root");
    }

    Path unpack(String name, TestLayer layer) throws IOException {
        Path dir = Files.createDirectory(temp.resolve(name));
        unpacker.unpack(new ByteArrayInputStream(layer.tar()), dir, TEAM_3, LIMIT);
        return dir;
    }

    @Test
    void ownersAreShiftedIntoTheTeamsIdsAndSetuidSurvivesTheChown() throws IOException {
        TarArchiveEntry app = TestLayer.entry("home/app/run", TarConstants.LF_NORMAL, 06755);
        app.setIds(1000, 1001);
        TarArchiveEntry stranger = TestLayer.entry("home/stranger", TarConstants.LF_NORMAL, 0644);
        stranger.setIds(70000, 70000);
        TarArchiveEntry link = TestLayer.entry("home/app/latest", TarConstants.LF_SYMLINK, 0777);
        link.setLinkName("run");
        link.setIds(1000, 1001);

        Path layer = unpack("layer", new TestLayer().dir("home", 0755).add(app, "#!/bin/sh\n").add(stranger, "").add(link, null));

        long base = 1_000_000 + 2 * 65536;
        assertOwner(layer, base, base);
        assertOwner(layer.resolve("home"), base, base);
        assertOwner(layer.resolve("home/app"), base, base);
        assertOwner(layer.resolve("home/app/run"), base + 1000, base + 1001);
        assertOwner(layer.resolve("home/app/latest"), base + 1000, base + 1001);
        assertOwner(layer.resolve("home/stranger"), 65534, 65534);
        assertThat(LayerUnpackerTests.mode(layer.resolve("home/app/run"))).isEqualTo(06755);
    }

    @Test
    void whiteoutsAreCharacterDevicesZeroZeroAndXattrsReachTheDisk() throws IOException {
        TarArchiveEntry labelled = TestLayer.entry("labelled", TarConstants.LF_NORMAL, 0644);
        labelled.addPaxHeader("SCHILY.xattr.user.origin", "wharf");

        Path layer = unpack("layer", new TestLayer().file(".wh.gone", "").add(labelled, "x"));

        Path gone = layer.resolve("gone");
        assertThat((Integer) Files.getAttribute(gone, "unix:mode", NOFOLLOW_LINKS) & 0170000).isEqualTo(LinuxSyscalls.S_IFCHR);
        assertThat(Files.getAttribute(gone, "unix:rdev", NOFOLLOW_LINKS)).isEqualTo(0L);
        assertOwner(gone, TEAM_3.toHost(0), TEAM_3.toHost(0));
        UserDefinedFileAttributeView xattrs = Files.getFileAttributeView(layer.resolve("labelled"), UserDefinedFileAttributeView.class,
                NOFOLLOW_LINKS);
        ByteBuffer value = ByteBuffer.allocate(xattrs.size("origin"));
        xattrs.read("origin", value);
        assertThat(new String(value.array(), StandardCharsets.UTF_8)).isEqualTo("wharf");
    }

    @Test
    void overlayfsHidesWhatTheWhiteoutsAndOpaqueDirectoriesSay() throws IOException {
        Path lower = unpack("lower", new TestLayer()
                .file("gone", "deleted by the upper layer\n")
                .file("kept", "still here\n")
                .file("dir/old", "hidden by the opaque directory\n"));
        Path upper = unpack("upper", new TestLayer()
                .file(".wh.gone", "")
                .file("dir/.wh..wh..opq", "")
                .file("dir/new", "the upper layer's\n"));
        Path merged = Files.createDirectory(temp.resolve("merged"));

        syscalls.mount("overlay", merged.toString(), "overlay", LinuxSyscalls.MS_RDONLY, "lowerdir=" + upper + ":" + lower);
        try {
            assertThat(merged.resolve("gone")).doesNotExist();
            assertThat(merged.resolve("kept")).hasContent("still here");
            try (Stream<Path> dir = Files.list(merged.resolve("dir"))) {
                assertThat(dir).containsExactly(merged.resolve("dir/new"));
            }
        } finally {
            syscalls.umount2(merged.toString(), 0);
        }
    }

    @Test
    void aLayersFileCapabilityGivesAHostUserNothing() throws Exception {
        Prerequisites.require(Commands.onPath("getcap") && Commands.onPath("setcap") && Commands.onPath("setpriv")
                && Files.isExecutable(BusyboxRootfs.BUSYBOX), "getcap, setcap (libcap2-bin), setpriv and busybox-static are needed");
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path secret = temp.resolve("secret");
        Files.writeString(secret, "root's only\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        // the attack works here: busybox with cap_dac_read_search+ep (v2, as setcap writes it) reads root's file as nobody
        Path control = Files.createDirectory(temp.resolve("control"));
        Files.copy(BusyboxRootfs.BUSYBOX, control.resolve("busybox"));
        Commands.run(List.of("setcap", "cap_dac_read_search+ep", control.resolve("busybox").toString()));
        assertThat(asNobody(control.resolve("busybox").toString(), "cat", secret.toString()).output()).isEqualTo("root's only\n");

        TarArchiveEntry busybox = TestLayer.entry("bin/busybox", TarConstants.LF_NORMAL, 0755);
        busybox.addPaxHeader("SCHILY.xattr.security.capability", LayerXattrsTests.latin1(LayerXattrsTests.V2_DAC_READ_SEARCH));
        busybox.addPaxHeader("SCHILY.xattr.security.selinux", "system_u:object_r:bin_t:s0");
        busybox.addPaxHeader("SCHILY.xattr.user.origin", "layer");
        Path layer = unpack("layer", new TestLayer().addData(busybox, Files.readAllBytes(BusyboxRootfs.BUSYBOX)));
        Path unpacked = layer.resolve("bin/busybox");

        assertThat(Commands.run(List.of("getcap", "-n", unpacked.toString())).strip())
                .isEqualTo(unpacked + " cap_dac_read_search=ep [rootid=" + TEAM_3.toHost(0) + "]");
        assertThat(asNobody(unpacked.toString(), "echo", "ran").output()).as("nobody runs the file").isEqualTo("ran\n");
        Result read = asNobody(unpacked.toString(), "cat", secret.toString());
        assertThat(read.exitCode()).isNotZero();
        assertThat(read.output()).contains("Permission denied").doesNotContain("root's only");
    }

    record Result(int exitCode, String output) {
    }

    /** Runs {@code command} as uid and gid 65534 with no supplementary groups. */
    static Result asNobody(String... command) throws IOException, InterruptedException {
        List<String> line = new java.util.ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private static void assertOwner(Path path, long uid, long gid) throws IOException {
        assertThat(Files.getAttribute(path, "unix:uid", NOFOLLOW_LINKS)).as(path + " uid").isEqualTo((int) uid);
        assertThat(Files.getAttribute(path, "unix:gid", NOFOLLOW_LINKS)).as(path + " gid").isEqualTo((int) gid);
    }
}
