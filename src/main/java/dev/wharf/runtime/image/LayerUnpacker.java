package dev.wharf.runtime.image;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.linux.LinuxSyscalls;
import dev.wharf.runtime.linux.SyscallException;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Unpacks one OCI image layer (a tar, plain or compressed with gzip or zstd) into the empty
 * directory of a snapshot, in the form overlayfs reads: OCI whiteouts {@code .wh.<name>} become
 * character devices 0/0 named {@code <name>}, and {@code .wh..wh..opq} marks its directory opaque
 * ({@code trusted.overlay.opaque=y}). Owners are shifted into a team's id mapping; modes (with
 * setuid, setgid and sticky bits) and mtimes are kept; of the {@code SCHILY.xattr.*} extended
 * attributes only {@code user.*} and file capabilities reach the disk, the capabilities in the
 * namespaced form that binds them to the team's root ({@link LayerXattrs}); device nodes and fifos
 * are left out and counted.
 *
 * <h2>Safety</h2>
 * A layer is untrusted input. Every entry must land inside the target: absolute names, {@code ..},
 * empty names and NUL bytes are refused; no entry is written through a symlink, whether planted
 * earlier in the same layer on its path or at its own name (an existing entry is removed, never
 * followed, before a new one takes its place); hard links may only point at a file this layer has
 * already unpacked. The {@link Limits} bound what a small blob can make the disk hold: the
 * uncompressed stream is cut off as soon as it passes the byte limit, and so are the bytes written
 * into files, counted as written (a sparse entry by its logical size, holes included, and refused
 * before anything is written when that size alone is past the limit); every tar entry, and every
 * directory the unpacker creates for one, counts against the entry limit. A refusal is a
 * {@link RuntimeFailure} INVALID_ARGUMENT naming the entry or the limit; the unpack stops there and
 * leaves a partial tree, which the snapshotter's temporary directory takes away.
 *
 * <p>Why one class of this size: every check above guards the same walk over one untrusted
 * stream, and the path-safety rules are only sound when one reader sees all of them together
 * (the extended attributes' rules, which need no view of the tree, are apart in {@link LayerXattrs}).
 */
public final class LayerUnpacker {

    private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};
    private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
    private static final String WHITEOUT = ".wh.";
    private static final String WHITEOUT_META = ".wh..wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final String OVERLAY_OPAQUE = "trusted.overlay.opaque";
    private static final String XATTR_HEADER = "SCHILY.xattr.";
    private static final int DIRECTORY_MODE = 0755;

    private static final int COPY_BUFFER = 64 * 1024;
    /** The entry limit of {@link #unpack(InputStream, Path, IdMapping, long)}. */
    public static final long DEFAULT_MAX_ENTRIES = 500_000;

    private final LinuxSyscalls syscalls;

    /**
     * The most one layer may unpack to.
     *
     * @param bytes   of the uncompressed tar stream, and (separately) of the data written into files,
     *                a sparse file counted by its logical size
     * @param entries tar entries, plus the directories created for entries whose parents the layer does not list
     */
    public record Limits(long bytes, long entries) {
    }

    public LayerUnpacker(LinuxSyscalls syscalls) {
        this.syscalls = syscalls;
    }

    /** {@link #unpack(InputStream, Path, IdMapping, Limits)} with {@link #DEFAULT_MAX_ENTRIES}. */
    public UnpackResult unpack(InputStream blob, Path target, IdMapping ids, long maxUncompressedBytes) throws IOException {
        return unpack(blob, target, ids, new Limits(maxUncompressedBytes, DEFAULT_MAX_ENTRIES));
    }

    /**
     * Writes the layer in {@code blob} into {@code target}, an existing empty directory that
     * becomes the layer's root (owned by the team's root). A successful unpack reads {@code blob}
     * to its end; closing it stays with the caller.
     *
     * @throws RuntimeFailure INVALID_ARGUMENT when an entry is refused or the layer is past one of
     *                        the {@code limits}
     * @throws IOException    when the blob cannot be read or decompressed, or the disk refuses a write
     */
    public UnpackResult unpack(InputStream blob, Path target, IdMapping ids, Limits limits) throws IOException {
        try (MeasuredStream tarStream = new MeasuredStream(decompressed(blob), limits.bytes());
                TarArchiveInputStream tar = new TarArchiveInputStream(tarStream, StandardCharsets.UTF_8.name())) {
            Unpacking unpacking = new Unpacking(target, ids, limits);
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                unpacking.write(entry, tar);
            }
            // the diffID covers the whole stream, padding after the end of the archive included
            tarStream.transferTo(OutputStream.nullOutputStream());
            unpacking.finish();
            return new UnpackResult(tarStream.diffId(), tarStream.count, unpacking.files, unpacking.skippedDevices,
                    unpacking.written, unpacking.entries);
        }
    }

    /** The uncompressed tar stream, by the blob's magic bytes: gzip, zstd, or none. */
    private static InputStream decompressed(InputStream blob) throws IOException {
        InputStream in = new BufferedInputStream(new CallersStream(blob));
        in.mark(ZSTD_MAGIC.length);
        byte[] head = in.readNBytes(ZSTD_MAGIC.length);
        in.reset();
        if (startsWith(head, GZIP_MAGIC)) {
            return GzipCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true).get();
        }
        if (startsWith(head, ZSTD_MAGIC)) {
            return new ZstdCompressorInputStream(in);
        }
        return in;
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        return head.length >= magic.length && Arrays.equals(head, 0, magic.length, magic, 0, magic.length);
    }

    /** The components of a path below the layer root, or null when it is absolute or climbs out with {@code ..}. */
    private static List<String> components(String path) {
        if (path.startsWith("/")) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.equals("..")) {
                return null;
            }
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return parts;
    }

    /** The tar types of regular files: {@code '0'}, old tar's NUL, contiguous {@code '7'} and GNU sparse {@code 'S'}. */
    private static boolean isRegularFile(byte type) {
        return type == TarConstants.LF_NORMAL || type == TarConstants.LF_OLDNORM || type == TarConstants.LF_CONTIG
                || type == TarConstants.LF_GNUTYPE_SPARSE;
    }

    private static String last(List<String> parts) {
        return parts.get(parts.size() - 1);
    }

    private static RuntimeFailure refused(String entry, String why) {
        return RuntimeFailure.invalid("layer entry \"" + printable(entry) + "\" " + why);
    }

    private static String printable(String name) {
        return name.replace("\0", "\\0");
    }

    /** The attributes of {@code path} itself (a symlink is not followed), or null when nothing is there. */
    private static BasicFileAttributes lstat(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void mode(Path path, int mode) throws IOException {
        Files.setAttribute(path, "unix:mode", mode & 07777, NOFOLLOW_LINKS);
    }

    private static void mtime(Path path, FileTime time) throws IOException {
        Files.getFileAttributeView(path, BasicFileAttributeView.class, NOFOLLOW_LINKS).setTimes(time, null, null);
    }

    /** The state of one unpack: its target, id mapping, limits, counters and the directory mtimes set at the end. */
    private final class Unpacking {

        private final Path target;
        private final IdMapping ids;
        private final Limits limits;
        private final Map<Path, FileTime> directoryTimes = new LinkedHashMap<>();
        private long files;
        private long skippedDevices;
        private long written;
        private long entries;

        Unpacking(Path target, IdMapping ids, Limits limits) throws IOException {
            this.target = target;
            this.ids = ids;
            this.limits = limits;
            own(target, 0, 0);
            mode(target, DIRECTORY_MODE);
        }

        void write(TarArchiveEntry entry, InputStream content) throws IOException {
            counted();
            String name = entry.getName();
            if (name.isEmpty()) {
                throw refused(name, "has an empty name");
            }
            if (name.indexOf('\0') >= 0) {
                throw refused(name, "has a NUL byte in its name");
            }
            List<String> parts = components(name);
            if (parts == null) {
                throw refused(name, "would land outside the snapshot");
            }
            checkSize(entry);
            try {
                if (!parts.isEmpty() && last(parts).startsWith(WHITEOUT)) {
                    whiteout(name, parts);
                } else if (entry.isDirectory()) {
                    directory(entry, parts.isEmpty() ? target : placed(parts, name));
                } else if (parts.isEmpty()) {
                    throw refused(name, "would replace the root of the snapshot");
                } else if (entry.isSymbolicLink()) {
                    symlink(entry, placed(parts, name));
                } else if (entry.isLink()) {
                    hardLink(entry, parts);
                } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                    skippedDevices++;
                } else if (isRegularFile(entry.getLinkFlag())) {
                    regularFile(entry, placed(parts, name), content);
                } else {
                    throw refused(name, "has the unsupported tar type '" + (char) entry.getLinkFlag() + "'");
                }
            } catch (IOException e) {
                throw new IOException("layer entry \"" + printable(name) + "\": " + e.getMessage(), e);
            }
        }

        /**
         * Refuses, before anything of it is written or skipped, an entry whose stated size (a
         * sparse file's logical size: the tar reader reads its holes as zeros) is past what is
         * left of the byte limit, and a sparse entry that is not a regular file.
         */
        private void checkSize(TarArchiveEntry entry) {
            long size = entry.isSparse() ? entry.getRealSize() : entry.getSize();
            if (size < 0 || size > limits.bytes() - written) {
                throw refused(entry.getName(), (entry.isSparse() ? "is a sparse file of " : "holds ") + size
                        + " bytes, past the layer's limit of " + limits.bytes() + " bytes (" + written + " written before it)");
            }
            if (entry.isSparse() && (entry.isDirectory() || !isRegularFile(entry.getLinkFlag()))) {
                throw refused(entry.getName(), "is sparse but not a regular file");
            }
        }

        /** Sets the directories' mtimes, which their children changed while they were written. */
        void finish() throws IOException {
            for (Map.Entry<Path, FileTime> directory : directoryTimes.entrySet()) {
                mtime(directory.getKey(), directory.getValue());
            }
        }

        private void directory(TarArchiveEntry entry, Path path) throws IOException {
            BasicFileAttributes existing = lstat(path);
            if (existing == null || !existing.isDirectory()) {
                clear(path);
                Files.createDirectory(path);
            }
            ownModeAndXattrs(path, entry);
            directoryTimes.put(path, entry.getLastModifiedTime());
            files++;
        }

        /**
         * A fresh file: whatever was at its name (a planted symlink too) is removed first, and the
         * create is exclusive. The bytes written (the holes of a sparse file read as zeros) are
         * counted as they go.
         */
        private void regularFile(TarArchiveEntry entry, Path path, InputStream content) throws IOException {
            clear(path);
            try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    NOFOLLOW_LINKS)) {
                byte[] buffer = new byte[COPY_BUFFER];
                for (int n = content.read(buffer); n >= 0; n = content.read(buffer)) {
                    written += n;
                    if (written > limits.bytes()) {
                        throw refused(entry.getName(), "takes the files of the layer past its limit of " + limits.bytes() + " bytes");
                    }
                    out.write(buffer, 0, n);
                }
            }
            ownModeAndXattrs(path, entry);
            mtime(path, entry.getLastModifiedTime());
            files++;
        }

        private void symlink(TarArchiveEntry entry, Path path) throws IOException {
            String link = entry.getLinkName();
            if (link.isEmpty() || link.indexOf('\0') >= 0) {
                throw refused(entry.getName(), "is a symlink to \"" + printable(link) + "\", which is not a path");
            }
            clear(path);
            Files.createSymbolicLink(path, Path.of(link));
            own(path, entry.getLongUserId(), entry.getLongGroupId());
            xattrs(path, entry, false);
            mtime(path, entry.getLastModifiedTime());
            files++;
        }

        /** A hard link to a file (or symlink) this layer already unpacked, reached without passing a symlink. */
        private void hardLink(TarArchiveEntry entry, List<String> parts) throws IOException {
            String name = entry.getName();
            String link = entry.getLinkName();
            List<String> to = link.indexOf('\0') < 0 ? components(link) : null;
            if (to == null || to.isEmpty()) {
                throw refused(name, "links to \"" + printable(link) + "\" outside the snapshot");
            }
            Path existing = parentOf(to, name, false).resolve(last(to));
            BasicFileAttributes attributes = lstat(existing);
            if (attributes == null || !(attributes.isRegularFile() || attributes.isSymbolicLink())) {
                throw refused(name, "links to \"" + link + "\", which is not a file this layer has unpacked");
            }
            Path path = placed(parts, name);
            if (path.equals(existing)) {
                throw refused(name, "links to itself");
            }
            clear(path);
            Files.createLink(path, existing);
            files++;
        }

        /**
         * {@code .wh..wh..opq} marks its directory opaque; {@code .wh.<name>} becomes the overlayfs
         * whiteout of {@code <name>} unless this layer has its own {@code <name>}, which wins (OCI
         * image spec). Other {@code .wh..wh.*} names are aufs metadata with no meaning here.
         */
        private void whiteout(String name, List<String> parts) throws IOException {
            String base = last(parts);
            if (base.equals(OPAQUE)) {
                syscalls.lsetxattr(parentOf(parts, name, true).toString(), OVERLAY_OPAQUE, new byte[] {'y'});
                files++;
                return;
            }
            if (base.startsWith(WHITEOUT_META)) {
                return;
            }
            String hidden = base.substring(WHITEOUT.length());
            if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
                throw refused(name, "is a whiteout of no file");
            }
            Path path = parentOf(parts, name, true).resolve(hidden);
            if (lstat(path) == null) {
                syscalls.mknod(path.toString(), LinuxSyscalls.S_IFCHR, 0);
                own(path, 0, 0);
                files++;
            }
        }

        /** Where an entry goes: its parent directories checked (and created), its own name not yet looked at. */
        private Path placed(List<String> parts, String entry) throws IOException {
            return parentOf(parts, entry, true).resolve(last(parts));
        }

        /**
         * The directory that holds the last of {@code parts}, walked down from the target with
         * lstat: a symlink or a non-directory on the way is refused; a missing directory is created
         * (owned by the team's root, 0755) when {@code create}, refused otherwise.
         */
        private Path parentOf(List<String> parts, String entry, boolean create) throws IOException {
            Path dir = target;
            for (String part : parts.subList(0, parts.size() - 1)) {
                dir = dir.resolve(part);
                BasicFileAttributes attributes = lstat(dir);
                if (attributes == null && create) {
                    counted();
                    Files.createDirectory(dir);
                    own(dir, 0, 0);
                    mode(dir, DIRECTORY_MODE);
                } else if (attributes == null) {
                    throw refused(entry, "needs \"" + target.relativize(dir) + "\", which this layer has not unpacked");
                } else if (attributes.isSymbolicLink()) {
                    throw refused(entry, "would pass through the symlink \"" + target.relativize(dir) + "\"");
                } else if (!attributes.isDirectory()) {
                    throw refused(entry, "would pass through \"" + target.relativize(dir) + "\", which is not a directory");
                }
            }
            return dir;
        }

        /** Removes whatever is at {@code path} (a directory with all it holds), never following a symlink. */
        private void clear(Path path) throws IOException {
            if (lstat(path) == null) {
                return;
            }
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                    if (failure != null) {
                        throw failure;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
            directoryTimes.keySet().removeIf(dir -> dir.startsWith(path));
        }

        /** Owner first: chown clears setuid and setgid bits and file capabilities. */
        private void ownModeAndXattrs(Path path, TarArchiveEntry entry) throws IOException {
            own(path, entry.getLongUserId(), entry.getLongGroupId());
            mode(path, entry.getMode());
            xattrs(path, entry, !entry.isDirectory());
        }

        /** One more entry against the limit. */
        private void counted() {
            entries++;
            if (entries > limits.entries()) {
                throw RuntimeFailure.invalid("layer has more than " + limits.entries() + " entries (files, directories and links)");
            }
        }

        /** lchown to the host ids of the container ids {@code uid} and {@code gid}. */
        private void own(Path path, long uid, long gid) throws IOException {
            Files.setAttribute(path, "unix:uid", (int) ids.toHost(uid), NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", (int) ids.toHost(gid), NOFOLLOW_LINKS);
        }

        /**
         * The entry's {@code SCHILY.xattr.*} PAX headers that {@link LayerXattrs} lets through
         * ({@code user.*}; file capabilities of a regular file, rewritten for the team's root),
         * where the filesystem supports them. Values that were not UTF-8 are left out too: the tar
         * reader decodes PAX values as UTF-8 and has already lost their bytes.
         */
        private void xattrs(Path path, TarArchiveEntry entry, boolean regularFile) {
            for (Map.Entry<String, String> header : entry.getExtraPaxHeaders().entrySet()) {
                if (!header.getKey().startsWith(XATTR_HEADER)) {
                    continue;
                }
                String name = header.getKey().substring(XATTR_HEADER.length());
                String value = header.getValue();
                if (value.indexOf('\uFFFD') >= 0) {
                    continue;
                }
                byte[] onDisk = LayerXattrs.onDisk(name, value.getBytes(StandardCharsets.UTF_8), ids, regularFile).orElse(null);
                if (onDisk == null) {
                    continue;
                }
                try {
                    syscalls.lsetxattr(path.toString(), name, onDisk);
                } catch (SyscallException e) {
                    if (e.errno() != LinuxSyscalls.EOPNOTSUPP) {
                        throw e;
                    }
                }
            }
        }
    }

    /** The caller's blob, left open when the streams built on it close. */
    private static final class CallersStream extends FilterInputStream {

        CallersStream(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }

    /** The uncompressed tar stream, counted and hashed as it is read, and cut off past the size limit. */
    private static final class MeasuredStream extends FilterInputStream {

        private final MessageDigest sha256;
        private final long limit;
        private long count;

        MeasuredStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
            try {
                this.sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                sha256.update((byte) b);
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                sha256.update(buffer, offset, n);
                counted(n);
            }
            return n;
        }

        /** Skipped bytes are read all the same: they belong to the digest and the count. */
        @Override
        public long skip(long n) throws IOException {
            byte[] buffer = new byte[8192];
            long left = n;
            while (left > 0) {
                int read = read(buffer, 0, (int) Math.min(left, buffer.length));
                if (read < 0) {
                    break;
                }
                left -= read;
            }
            return n - left;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        private void counted(int n) {
            count += n;
            if (count > limit) {
                throw RuntimeFailure.invalid("layer is larger than " + limit + " bytes uncompressed");
            }
        }

        String diffId() {
            return "sha256:" + HexFormat.of().formatHex(sha256.digest());
        }
    }
}
