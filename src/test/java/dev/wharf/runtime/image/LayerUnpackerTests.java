package dev.wharf.runtime.image;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.linux.RecordingSyscalls;
import dev.wharf.runtime.snapshot.overlay.OverlaySnapshotter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The unpacker on a real filesystem, with the kernel calls it adds (mknod, lsetxattr) recorded
 * instead of made, so it runs without root; {@link LayerUnpackerKernelTests} makes them for real.
 * Without root, the team's root is this user and every entry belongs to root.
 */
class LayerUnpackerTests {

    static final long LIMIT = 64L * 1024 * 1024;

    @TempDir
    Path temp;
    Path target;
    Path canary;
    IdMapping ids;
    final RecordingSyscalls syscalls = new RecordingSyscalls();
    final LayerUnpacker unpacker = new LayerUnpacker(syscalls);

    @BeforeEach
    void anEmptyTargetBesideACanary() throws IOException {
        target = Files.createDirectory(temp.resolve("layer"));
        canary = Files.createDirectory(temp.resolve("canary"));
        Files.writeString(canary.resolve("file"), "canary\n");
        Files.setAttribute(canary.resolve("file"), "unix:mode", 0640);
        ids = idsThisUserCanChownTo(temp);
    }

    /** The team's slice as root; else a mapping whose root is this user, the only owner it can give. */
    static IdMapping idsThisUserCanChownTo(Path dir) throws IOException {
        int uid = (Integer) Files.getAttribute(dir, "unix:uid");
        if (uid == 0) {
            return IdMapping.forTeam(3, 1_000_000);
        }
        Assumptions.assumeTrue(uid == (Integer) Files.getAttribute(dir, "unix:gid"),
                "without root these tests map the team's root to this user's uid and gid, which differ");
        return new IdMapping(uid, 1);
    }

    UnpackResult unpack(byte[] blob) throws IOException {
        return unpacker.unpack(new ByteArrayInputStream(blob), target, ids, LIMIT);
    }

    @Test
    void writesFilesDirectoriesLinksModesAndTimesOwnedByTheTeamsRoot() throws IOException {
        byte[] tar = new TestLayer()
                .dir("etc", 0755)
                .file("etc/hostname", "wharf\n")
                .file("bin/tool", "#!/bin/sh\n", 04755)
                .file("bin/group-tool", "#!/bin/sh\n", 02750)
                .dir("tmp", 01777)
                .symlink("bin/sh", "tool")
                .symlink("etc/dangling", "/nowhere/at/all")
                .hardLink("bin/tool2", "bin/tool")
                .tar();

        UnpackResult result = unpack(tar);

        assertThat(Files.readString(target.resolve("etc/hostname"))).isEqualTo("wharf\n");
        assertThat(mode(target.resolve("etc/hostname"))).isEqualTo(0644);
        assertThat(mode(target.resolve("bin/tool"))).isEqualTo(04755);
        assertThat(mode(target.resolve("bin/group-tool"))).isEqualTo(02750);
        assertThat(mode(target.resolve("tmp"))).isEqualTo(01777);
        assertThat(mode(target.resolve("bin"))).as("a parent the tar does not list").isEqualTo(0755);
        assertThat(Files.readSymbolicLink(target.resolve("bin/sh"))).isEqualTo(Path.of("tool"));
        assertThat(Files.readSymbolicLink(target.resolve("etc/dangling"))).isEqualTo(Path.of("/nowhere/at/all"));
        assertThat(Files.getAttribute(target.resolve("bin/tool2"), "unix:ino"))
                .isEqualTo(Files.getAttribute(target.resolve("bin/tool"), "unix:ino"));
        assertThat(Files.getAttribute(target.resolve("bin/tool"), "unix:nlink")).isEqualTo(2);
        for (String path : List.of("etc", "etc/hostname", "bin/tool", "tmp", "bin/sh", "etc/dangling")) {
            assertThat(Files.getLastModifiedTime(target.resolve(path), NOFOLLOW_LINKS)).as(path).isEqualTo(TestLayer.MTIME);
        }
        for (String path : List.of("", "etc", "etc/hostname", "bin", "bin/tool", "bin/sh")) {
            assertThat(Files.getAttribute(target.resolve(path), "unix:uid", NOFOLLOW_LINKS)).as(path).isEqualTo((int) ids.toHost(0));
            assertThat(Files.getAttribute(target.resolve(path), "unix:gid", NOFOLLOW_LINKS)).as(path).isEqualTo((int) ids.toHost(0));
        }
        assertThat(result).isEqualTo(new UnpackResult(sha256(tar), tar.length, 8, 0, 6 + 10 + 10, 8 + 1));
    }

    @Test
    void plainGzipAndZstdLayersGiveTheSameTreeAndDiffId() throws IOException {
        byte[] tar = new TestLayer().dir("usr/bin", 0755).file("usr/bin/app", "binary", 0755).symlink("app", "usr/bin/app").tar();
        List<Function<byte[], byte[]>> encodings = List.of(Function.identity(), TestLayer::gzip, TestLayer::zstd);
        for (Function<byte[], byte[]> encoding : encodings) {
            Path dir = Files.createDirectory(temp.resolve("layer-" + encodings.indexOf(encoding)));
            UnpackResult result = unpacker.unpack(new ByteArrayInputStream(encoding.apply(tar)), dir, ids, LIMIT);
            assertThat(result.diffId()).isEqualTo(sha256(tar));
            assertThat(result.uncompressedBytes()).isEqualTo(tar.length);
            assertThat(tree(dir)).isEqualTo("app -> usr/bin/app\nusr 755\nusr/bin 755\nusr/bin/app 755 binary");
        }
    }

    @Test
    void theDiffIdCoversPaddingAfterTheEndOfTheArchive() throws IOException {
        byte[] tar = new TestLayer().file("a", "a").tar();
        byte[] padded = Arrays.copyOf(tar, tar.length + 10240);

        assertThat(unpack(padded).diffId()).isEqualTo(sha256(padded));
    }

    @Test
    void whiteoutsBecomeOverlayWhiteoutsAndOpaqueDirectories() throws IOException {
        byte[] tar = new TestLayer()
                .dir("usr", 0755)
                .file("usr/.wh.gone", "")
                .file("opaque/.wh..wh..opq", "")
                .file("etc/.wh.first", "")
                .file("etc/first", "the layer's own file wins over its whiteout\n")
                .file("etc/second", "the layer's own file wins over its whiteout\n")
                .file("etc/.wh.second", "")
                .dir(".wh..wh.plnk", 0700)
                .tar();

        UnpackResult result = unpack(tar);

        assertThat(syscalls.calls()).containsExactly(
                "mknod(" + target.resolve("usr/gone") + ", 020000, 0)",
                "lsetxattr(" + target.resolve("opaque") + ", trusted.overlay.opaque, y)",
                "mknod(" + target.resolve("etc/first") + ", 020000, 0)");
        assertThat(Files.getAttribute(target.resolve("usr/gone"), "unix:uid")).isEqualTo((int) ids.toHost(0));
        assertThat(Files.readString(target.resolve("etc/first"))).startsWith("the layer's own file");
        assertThat(Files.readString(target.resolve("etc/second"))).startsWith("the layer's own file");
        assertThat(tree(target)).doesNotContain(".wh.");
        assertThat(result.files()).isEqualTo(6);
    }

    @Test
    void onlyUserAttributesAreSetAsGivenAndOtherNamespacesAreDropped() throws IOException {
        TarArchiveEntry file = TestLayer.entry("ping", TarConstants.LF_NORMAL, 0755);
        file.addPaxHeader("SCHILY.xattr.user.origin", "wharf");
        file.addPaxHeader("SCHILY.xattr.security.selinux", "system_u:object_r:bin_t:s0");
        file.addPaxHeader("SCHILY.xattr.security.ima", "signature");
        file.addPaxHeader("SCHILY.xattr.trusted.overlay.redirect", "/elsewhere");
        file.addPaxHeader("SCHILY.xattr.trusted.overlay.opaque", "y");
        file.addPaxHeader("SCHILY.xattr.system.posix_acl_access", "acl");

        unpack(new TestLayer().add(file, "").tar());

        assertThat(syscalls.calls()).containsExactly("lsetxattr(" + target.resolve("ping") + ", user.origin, wharf)");
    }

    @Test
    void aFileCapabilityIsWrittenBoundToTheTeamsRoot() throws IOException {
        TarArchiveEntry file = TestLayer.entry("ping", TarConstants.LF_NORMAL, 0755);
        file.addPaxHeader("SCHILY.xattr.security.capability", LayerXattrsTests.latin1(LayerXattrsTests.V2_DAC_READ_SEARCH));
        TarArchiveEntry dir = TestLayer.entry("bin/", TarConstants.LF_DIR, 0755);
        dir.addPaxHeader("SCHILY.xattr.security.capability", LayerXattrsTests.latin1(LayerXattrsTests.V2_DAC_READ_SEARCH));

        unpack(new TestLayer().add(file, "").add(dir, null).tar());

        byte[] v3 = LayerXattrs.namespacedCapability(LayerXattrsTests.V2_DAC_READ_SEARCH, ids).orElseThrow();
        assertThat(syscalls.calls()).as("a capability on a directory means nothing and is dropped")
                .containsExactly("lsetxattr(" + target.resolve("ping") + ", security.capability, " + new String(v3, StandardCharsets.UTF_8) + ")");
    }

    @Test
    void deviceNodesAndFifosAreLeftOutAndCounted() throws IOException {
        byte[] tar = new TestLayer()
                .add(TestLayer.entry("dev/null", TarConstants.LF_CHR, 0666), null)
                .add(TestLayer.entry("dev/sda", TarConstants.LF_BLK, 0660), null)
                .add(TestLayer.entry("run/pipe", TarConstants.LF_FIFO, 0600), null)
                .file("kept", "x")
                .tar();

        UnpackResult result = unpack(tar);

        assertThat(result.skippedDevices()).isEqualTo(3);
        assertThat(tree(target)).isEqualTo("kept 644 x");
    }

    @Test
    void aFileReplacesASymlinkPlantedAtItsNameInsteadOfWritingThroughIt() throws IOException {
        String outside = outsideTarget();
        byte[] tar = new TestLayer().symlink("f", canary.resolve("file").toString()).file("f", "layer\n").tar();

        unpack(tar);

        assertThat(Files.isRegularFile(target.resolve("f"), NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readString(target.resolve("f"))).isEqualTo("layer\n");
        assertThat(outsideTarget()).isEqualTo(outside);
    }

    @Test
    void aFileReplacesAHardLinkInsteadOfWritingIntoTheSharedInode() throws IOException {
        byte[] tar = new TestLayer().file("original", "original\n").hardLink("link", "original").file("link", "new\n").tar();

        unpack(tar);

        assertThat(Files.readString(target.resolve("original"))).isEqualTo("original\n");
        assertThat(Files.readString(target.resolve("link"))).isEqualTo("new\n");
    }

    static Stream<Arguments> attacks() {
        return Stream.of(
                attack("../escape", canary -> new TestLayer().file("../escape", "x"),
                        "layer entry \"../escape\" would land outside the snapshot"),
                attack("/etc/absolute", canary -> new TestLayer().file("/etc/absolute", "x"),
                        "layer entry \"/etc/absolute\" would land outside the snapshot"),
                attack("a/../../escape", canary -> new TestLayer().file("a/../../escape", "x"),
                        "layer entry \"a/../../escape\" would land outside the snapshot"),
                attack("file below an absolute symlink", canary -> new TestLayer().symlink("link", canary.toString()).file("link/file", "x"),
                        "layer entry \"link/file\" would pass through the symlink \"link\""),
                attack("file below a relative symlink", canary -> new TestLayer().symlink("link", "../canary").file("link/x", "x"),
                        "layer entry \"link/x\" would pass through the symlink \"link\""),
                attack("directory below a symlink", canary -> new TestLayer().symlink("link", canary.toString()).dir("link/sub", 0755),
                        "layer entry \"link/sub/\" would pass through the symlink \"link\""),
                attack("whiteout below a symlink", canary -> new TestLayer().symlink("link", canary.toString()).file("link/.wh.file", ""),
                        "layer entry \"link/.wh.file\" would pass through the symlink \"link\""),
                attack("opaque marker below a symlink", canary -> new TestLayer().symlink("link", canary.toString()).file("link/.wh..wh..opq", ""),
                        "layer entry \"link/.wh..wh..opq\" would pass through the symlink \"link\""),
                attack("hard link out with ..", canary -> new TestLayer().hardLink("h", "../canary/file"),
                        "layer entry \"h\" links to \"../canary/file\" outside the snapshot"),
                attack("hard link to an absolute path", canary -> new TestLayer().hardLink("h", "/etc/passwd"),
                        "layer entry \"h\" links to \"/etc/passwd\" outside the snapshot"),
                attack("hard link through a symlinked directory", canary -> new TestLayer().symlink("d", canary.toString()).hardLink("h", "d/file"),
                        "layer entry \"h\" would pass through the symlink \"d\""),
                attack("hard link to a file the layer lacks", canary -> new TestLayer().hardLink("h", "missing"),
                        "layer entry \"h\" links to \"missing\", which is not a file this layer has unpacked"),
                attack("name with a NUL byte", canary -> new TestLayer().file("a\0" + "b".repeat(100), "x"),
                        "layer entry \"a\\0" + "b".repeat(100) + "\" has a NUL byte in its name"),
                attack("whiteout of ..", canary -> new TestLayer().file("dir/.wh...", ""),
                        "layer entry \"dir/.wh...\" is a whiteout of no file"),
                attack("symlink replacing the root", canary -> new TestLayer().symlink(".", canary.toString()),
                        "layer entry \".\" would replace the root of the snapshot"));
    }

    private static Arguments attack(String name, Function<Path, TestLayer> layer, String message) {
        return Arguments.of(name, layer, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void refusedEntriesStopTheUnpackAndTouchNothingOutside(String name, Function<Path, TestLayer> layer, String message)
            throws IOException {
        String outside = outsideTarget();
        byte[] tar = layer.apply(canary).tar();

        assertThatThrownBy(() -> unpack(tar))
                .isInstanceOfSatisfying(RuntimeFailure.class, failure -> assertThat(failure.kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT))
                .hasMessage(message);
        assertThat(outsideTarget()).isEqualTo(outside);
    }

    @Test
    void aLayerLargerThanTheLimitIsRefusedWhileStreaming() {
        byte[] tar = Arrays.copyOf(new TestLayer().file("small", "x").tar(), 2 * 1024 * 1024);
        byte[] gzip = TestLayer.gzip(tar);
        assertThat(gzip.length).as("a gzip bomb of padding").isLessThan(16 * 1024);

        for (byte[] blob : List.of(tar, gzip)) {
            assertThatThrownBy(() -> unpacker.unpack(new ByteArrayInputStream(blob), target, ids, 1024 * 1024))
                    .isInstanceOf(RuntimeFailure.class)
                    .hasMessage("layer is larger than 1048576 bytes uncompressed");
        }
    }

    @Test
    void aFileLargerThanWhatIsLeftOfTheLimitIsRefusedBeforeItIsWritten() {
        byte[] tar = new TestLayer().file("small", "x".repeat(600 * 1024)).file("big", "x".repeat(600 * 1024)).tar();

        assertThatThrownBy(() -> unpacker.unpack(new ByteArrayInputStream(tar), target, ids, 1024 * 1024))
                .isInstanceOfSatisfying(RuntimeFailure.class, failure -> assertThat(failure.kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT))
                .hasMessage("layer entry \"big\" holds 614400 bytes, past the layer's limit of 1048576 bytes (614400 written before it)");
        assertThat(target.resolve("big")).doesNotExist();
    }

    /** The tar reader takes sparse sizes up to 2 GiB - 1 (in a PAX header it refuses larger ones as corrupt). */
    static Stream<Arguments> sparseBombs() {
        long logical = Integer.MAX_VALUE;
        return Stream.of(
                Arguments.of("GNU sparse ('S')", SparseTars.gnu("bomb", logical, "tail\n")),
                Arguments.of("PAX sparse 0.0", SparseTars.pax00("bomb", logical, "tail\n")),
                Arguments.of("PAX sparse 0.1", SparseTars.pax01("bomb", logical, "tail\n")),
                Arguments.of("PAX sparse 1.0", SparseTars.pax10("bomb", logical, "tail\n")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sparseBombs")
    void aSparseFileIsCountedByItsLogicalSizeAndRefusedPastTheLimit(String format, byte[] tar) throws IOException {
        assertThat(tar.length).as("a tiny archive").isLessThan(16 * 1024);

        assertThatThrownBy(() -> unpacker.unpack(new ByteArrayInputStream(TestLayer.gzip(tar)), target, ids, LIMIT))
                .isInstanceOfSatisfying(RuntimeFailure.class, failure -> assertThat(failure.kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT))
                .hasMessage("layer entry \"bomb\" is a sparse file of 2147483647 bytes, past the layer's limit of 67108864 bytes"
                        + " (0 written before it)");
        assertThat(tree(target)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sparseBombs")
    void aSparseFileWithinTheLimitIsWrittenWithItsHolesAndCounted(String format, byte[] ignored) throws IOException {
        long logical = 3L * 1024 * 1024;
        byte[] tar = switch (format) {
            case "GNU sparse ('S')" -> SparseTars.gnu("sparse", logical, "tail\n");
            case "PAX sparse 0.0" -> SparseTars.pax00("sparse", logical, "tail\n");
            case "PAX sparse 0.1" -> SparseTars.pax01("sparse", logical, "tail\n");
            default -> SparseTars.pax10("sparse", logical, "tail\n");
        };

        UnpackResult result = unpack(tar);

        Path file = target.resolve("sparse");
        assertThat(Files.size(file)).isEqualTo(logical);
        assertThat(result.writtenBytes()).isEqualTo(logical);
        assertThat(Files.readAllBytes(file)).endsWith("tail\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> unpacker.unpack(new ByteArrayInputStream(tar), Files.createDirectory(temp.resolve("small")), ids,
                logical - 1)).isInstanceOf(RuntimeFailure.class).hasMessageContaining("is a sparse file of " + logical + " bytes");
    }

    @Test
    void aSparseEntryThatIsNotAFileIsRefused() {
        byte[] tar = SparseTars.pax01Typed("dir/", TarConstants.LF_DIR, 1024, "");

        assertThatThrownBy(() -> unpack(tar)).isInstanceOf(RuntimeFailure.class)
                .hasMessage("layer entry \"dir/\" is sparse but not a regular file");
    }

    @Test
    void aLayerWithMoreEntriesThanTheLimitIsRefused() throws IOException {
        TestLayer layer = new TestLayer();
        for (int i = 0; i < 101; i++) {
            layer.file("f" + i, "");
        }
        byte[] tar = layer.tar();

        assertThat(unpacker.unpack(new ByteArrayInputStream(tar), Files.createDirectory(temp.resolve("fits")), ids,
                new LayerUnpacker.Limits(LIMIT, 101)).entries()).isEqualTo(101);
        assertThatThrownBy(() -> unpacker.unpack(new ByteArrayInputStream(tar), target, ids, new LayerUnpacker.Limits(LIMIT, 100)))
                .isInstanceOfSatisfying(RuntimeFailure.class, failure -> assertThat(failure.kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT))
                .hasMessage("layer has more than 100 entries (files, directories and links)");
    }

    @Test
    void directoriesCreatedForADeepNameCountAsEntries() {
        String deep = "d/".repeat(200) + "file";
        byte[] tar = new TestLayer().file(deep, "x").tar();

        assertThatThrownBy(() -> unpacker.unpack(new ByteArrayInputStream(tar), target, ids, new LayerUnpacker.Limits(LIMIT, 100)))
                .isInstanceOf(RuntimeFailure.class)
                .hasMessage("layer has more than 100 entries (files, directories and links)");
    }

    @Test
    void aGzipBombStopsAtTheLimit() throws IOException {
        long zeros = 200L * 1024 * 1024;
        long limit = 10L * 1024 * 1024;
        Path bomb = temp.resolve("bomb.tar.gz");
        try (OutputStream file = Files.newOutputStream(bomb);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(file))) {
            TarArchiveEntry entry = TestLayer.entry("zeros", TarConstants.LF_NORMAL, 0644);
            entry.setSize(zeros);
            tar.putArchiveEntry(entry);
            byte[] mebibyte = new byte[1024 * 1024];
            for (long written = 0; written < zeros; written += mebibyte.length) {
                tar.write(mebibyte);
            }
            tar.closeArchiveEntry();
        }
        assertThat(Files.size(bomb)).isLessThan(limit / 10);

        try (InputStream in = Files.newInputStream(bomb)) {
            assertThatThrownBy(() -> unpacker.unpack(in, target, ids, limit))
                    .isInstanceOf(RuntimeFailure.class)
                    .hasMessage("layer entry \"zeros\" holds 209715200 bytes, past the layer's limit of 10485760 bytes (0 written before it)");
        }
        assertThat(target.resolve("zeros")).doesNotExist();
    }

    @Test
    void aRefusedLayerLeavesNoSnapshotAndNoTemporaryDirectory() throws IOException {
        Path root = temp.resolve("snapshots");
        OverlaySnapshotter snapshotter = new OverlaySnapshotter(root, syscalls);
        byte[] tar = new TestLayer().file("fine", "x").file("../escape", "x").tar();

        assertThatThrownBy(() -> snapshotter.commit("sha256_evil", dir -> unpacker.unpack(new ByteArrayInputStream(tar), dir, ids, LIMIT)))
                .isInstanceOfSatisfying(RuntimeFailure.class, failure -> assertThat(failure.kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT))
                .hasMessageContaining("would land outside the snapshot");
        assertThat(snapshotter.exists("sha256_evil")).isFalse();
        try (Stream<Path> left = Files.list(root)) {
            assertThat(left).isEmpty();
        }
        assertThat(temp.resolve("escape")).doesNotExist();
    }

    /** Every path under the test's directory outside the target, with its type, mode and content. */
    private String outsideTarget() throws IOException {
        try (Stream<Path> paths = Files.walk(temp)) {
            return paths.filter(path -> !path.startsWith(target)).sorted().map(path -> describe(temp, path))
                    .collect(Collectors.joining("\n"));
        }
    }

    /** The tree under {@code dir}, one line per path: {@code name mode content} or {@code name -> link}. */
    static String tree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(path -> !path.equals(dir)).sorted().map(path -> describe(dir, path)).collect(Collectors.joining("\n"));
        }
    }

    private static String describe(Path root, Path path) {
        try {
            String name = root.relativize(path).toString();
            if (Files.isSymbolicLink(path)) {
                return name + " -> " + Files.readSymbolicLink(path);
            }
            String line = name + " " + Integer.toOctalString(mode(path));
            return Files.isRegularFile(path, NOFOLLOW_LINKS) ? line + " " + Files.readString(path) : line;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", NOFOLLOW_LINKS) & 07777;
    }

    static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
