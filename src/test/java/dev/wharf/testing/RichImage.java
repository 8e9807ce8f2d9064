package dev.wharf.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * An OCI image layout (built as root) whose layers use what real images use, for end-to-end image
 * tests. Tags as in {@link BusyboxLayout}: {@link BusyboxLayout#AMD64}, {@link BusyboxLayout#ARM64}
 * and their index {@link BusyboxLayout#MULTI}. Three layers:
 * <ol>
 * <li>gzip (umoci): busybox, and under {@code /data}: {@code hello.txt}, {@code gone.txt}, {@code dir/a.txt}
 *     and {@code dir/b.txt}, {@code opaque/x.txt} and {@code opaque/sub/deep.txt}, the hard links
 *     {@code link-a} and {@code link-b}, the symlinks {@code rel -> hello.txt} and
 *     {@code abs -> /data/hello.txt}, {@code suid} (mode 4755) and {@code owned} (1000:1000);</li>
 * <li>gzip (umoci): {@code gone.txt} deleted, {@code dir} deleted and made again with only
 *     {@code new.txt} (umoci writes one whiteout per file it lost);</li>
 * <li>zstd (hand-made): {@code opaque} marked opaque with only {@code z.txt} in it, and {@code zstd.txt}.</li>
 * </ol>
 * The config runs {@code /bin/sleep 3600} (entrypoint and cmd) in {@code /data} with
 * {@code PATH=/bin} and {@code GREETING=hello}, stops with {@code SIGQUIT} and exposes
 * {@code 8443/tcp} and {@code 80/tcp}.
 */
public final class RichImage {

    private static final FileTime MTIME = FileTime.from(Instant.parse("2024-05-06T07:08:09Z"));

    private RichImage() {
    }

    /** Whether busybox-static and umoci are installed (building needs root as well). */
    public static boolean available() {
        return BusyboxLayout.available();
    }

    /** Builds the layout in {@code dir/layout} (using {@code dir/bundle} on the way) and returns its path. */
    public static Path create(Path dir) throws IOException, InterruptedException {
        OciImageBuilder image = OciImageBuilder.start(dir, "base");
        Path rootfs = image.rootfs();
        BusyboxRootfs.create(rootfs);
        Path data = Files.createDirectories(rootfs.resolve("data"));
        write(data.resolve("hello.txt"), "hello");
        write(data.resolve("gone.txt"), "deleted in layer 2");
        write(Files.createDirectories(data.resolve("dir")).resolve("a.txt"), "a");
        write(data.resolve("dir/b.txt"), "b");
        write(Files.createDirectories(data.resolve("opaque/sub")).resolve("deep.txt"), "hidden by layer 3");
        write(data.resolve("opaque/x.txt"), "x");
        write(data.resolve("link-a"), "linked");
        Files.createLink(data.resolve("link-b"), data.resolve("link-a"));
        Files.createSymbolicLink(data.resolve("rel"), Path.of("hello.txt"));
        Files.createSymbolicLink(data.resolve("abs"), Path.of("/data/hello.txt"));
        write(data.resolve("suid"), "setuid");
        Files.setAttribute(data.resolve("suid"), "unix:mode", 04755);
        write(data.resolve("owned"), "owned by 1000");
        Files.setAttribute(data.resolve("owned"), "unix:uid", 1000);
        Files.setAttribute(data.resolve("owned"), "unix:gid", 1000);
        image.commit();

        Files.delete(data.resolve("gone.txt"));
        try (Stream<Path> files = Files.list(data.resolve("dir"))) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(data.resolve("dir"));
        write(Files.createDirectories(data.resolve("dir")).resolve("new.txt"), "new");
        image.commit();

        image.appendZstdLayer(topLayer());
        for (String arch : List.of(BusyboxLayout.AMD64, BusyboxLayout.ARM64)) {
            image.config("--tag", arch, "--os", "linux", "--architecture", arch, "--config.entrypoint", "/bin/sleep",
                    "--config.cmd", "3600", "--config.workingdir", "/data", "--config.env", "PATH=/bin", "--config.env",
                    "GREETING=hello", "--config.stopsignal", "SIGQUIT", "--config.exposedports", "8443/tcp",
                    "--config.exposedports", "80/tcp");
        }
        BusyboxLayout.addIndex(image.layout());
        return image.layout();
    }

    /** Layer 3: {@code data/opaque} made opaque, holding only {@code z.txt}; {@code data/zstd.txt}. */
    private static byte[] topLayer() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            add(tar, entry("data/", TarConstants.LF_DIR, 0755), "");
            add(tar, entry("data/opaque/", TarConstants.LF_DIR, 0755), "");
            add(tar, entry("data/opaque/.wh..wh..opq", TarConstants.LF_NORMAL, 0644), "");
            add(tar, entry("data/opaque/z.txt", TarConstants.LF_NORMAL, 0644), "z\n");
            add(tar, entry("data/zstd.txt", TarConstants.LF_NORMAL, 0644), "from the zstd layer\n");
        }
        return bytes.toByteArray();
    }

    private static TarArchiveEntry entry(String name, byte type, int mode) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type);
        entry.setMode(mode);
        entry.setModTime(MTIME);
        entry.setIds(0, 0);
        return entry;
    }

    private static void add(TarArchiveOutputStream tar, TarArchiveEntry entry, String content) throws IOException {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        entry.setSize(data.length);
        tar.putArchiveEntry(entry);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    private static void write(Path file, String content) throws IOException {
        Files.writeString(file, content + "\n");
    }
}
