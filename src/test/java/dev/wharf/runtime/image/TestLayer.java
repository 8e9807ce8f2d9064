package dev.wharf.runtime.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/**
 * A layer tar built in memory for the unpacker and hostile-layer tests. Entries belong to root, carry {@link #MTIME},
 * keep absolute names as given, and get PAX headers where the old tar header is too small.
 */
public final class TestLayer {

    static final FileTime MTIME = FileTime.from(Instant.parse("2024-05-06T07:08:09Z"));

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

    public TestLayer() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    /** An entry of {@code type} owned by root, with {@link #MTIME}, its name kept as given. */
    public static TarArchiveEntry entry(String name, byte type, int mode) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
        entry.setMode(mode);
        entry.setModTime(MTIME);
        entry.setIds(0, 0);
        return entry;
    }

    TestLayer dir(String name, int mode) {
        return add(entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, mode), null);
    }

    TestLayer file(String name, String content) {
        return file(name, content, 0644);
    }

    TestLayer file(String name, String content, int mode) {
        return add(entry(name, TarConstants.LF_NORMAL, mode), content);
    }

    TestLayer symlink(String name, String target) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_SYMLINK, 0777);
        entry.setLinkName(target);
        return add(entry, null);
    }

    TestLayer hardLink(String name, String target) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_LINK, 0644);
        entry.setLinkName(target);
        return add(entry, null);
    }

    /** Any entry, with {@code content} for a regular file (null for none). */
    TestLayer add(TarArchiveEntry entry, String content) {
        return addData(entry, content == null ? new byte[0] : content.getBytes(StandardCharsets.UTF_8));
    }

    /** An entry with {@code data} as its content. */
    public TestLayer addData(TarArchiveEntry entry, byte[] data) {
        try {
            entry.setSize(data.length);
            tar.putArchiveEntry(entry);
            tar.write(data);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** The finished tar; no entries can be added after. */
    public byte[] tar() {
        try {
            tar.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gzip = new GzipCompressorOutputStream(out)) {
            gzip.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] zstd(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream zstd = new ZstdCompressorOutputStream(out)) {
            zstd.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
