package dev.wharf.runtime.image;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.linux.LinuxSyscalls;
import dev.wharf.testing.Prerequisites;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
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

    private static void assertOwner(Path path, long uid, long gid) throws IOException {
        assertThat(Files.getAttribute(path, "unix:uid", NOFOLLOW_LINKS)).as(path + " uid").isEqualTo((int) uid);
        assertThat(Files.getAttribute(path, "unix:gid", NOFOLLOW_LINKS)).as(path + " gid").isEqualTo((int) gid);
    }
}
