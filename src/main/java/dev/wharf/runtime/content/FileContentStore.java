package dev.wharf.runtime.content;

import dev.wharf.runtime.fs.AtomicFiles;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeFailure.Kind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A {@link ContentStore} in a directory: blobs in {@code <root>/blobs/sha256/<hex>}, writes in
 * progress in {@code <root>/ingest/}. One instance per root: opening the store clears the ingest
 * directory, which would break another instance's writes in progress.
 */
public final class FileContentStore implements ContentStore {

    private static final int BUFFER = 64 * 1024;

    private final Path blobs;
    private final Path ingest;

    public FileContentStore(Path root) {
        this.blobs = root.resolve("blobs").resolve("sha256");
        this.ingest = root.resolve("ingest");
        try {
            Files.createDirectories(blobs);
            Files.createDirectories(ingest);
            try (Stream<Path> leftovers = Files.list(ingest)) {
                for (Path leftover : leftovers.toList()) {
                    Files.deleteIfExists(leftover);
                }
            }
        } catch (IOException e) {
            throw new RuntimeFailure(Kind.INTERNAL, "content store " + root + ": cannot prepare it: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean has(String digest) {
        return Files.isRegularFile(blobPath(digest));
    }

    @Override
    public Path path(String digest) {
        Path path = blobPath(digest);
        if (!Files.isRegularFile(path)) {
            throw RuntimeFailure.notFound("blob " + digest + " not found in the content store");
        }
        return path;
    }

    @Override
    public long size(String digest) {
        try {
            return Files.size(blobPath(digest));
        } catch (NoSuchFileException e) {
            throw RuntimeFailure.notFound("blob " + digest + " not found in the content store");
        } catch (IOException e) {
            throw new RuntimeFailure(Kind.INTERNAL, "blob " + digest + ": cannot read its size: " + e.getMessage(), e);
        }
    }

    @Override
    public String write(String expectedDigest, long expectedSize, InputStream in) {
        Path target = blobPath(expectedDigest);
        if (expectedSize < 0) {
            throw RuntimeFailure.invalid("write " + expectedDigest + ": negative size " + expectedSize);
        }
        Path temp;
        try {
            temp = Files.createTempFile(ingest, target.getFileName().toString().substring(0, 12) + "-", ".part");
        } catch (IOException e) {
            throw new RuntimeFailure(Kind.INTERNAL, "write " + expectedDigest + ": " + e.getMessage(), e);
        }
        try {
            copyVerified(in, temp, expectedDigest, expectedSize);
            if (Files.isRegularFile(target)) {
                Files.delete(temp); // stored already, and the bytes just supplied are the same
                return expectedDigest;
            }
            // rename(2) replaces a copy that a concurrent writer of the same blob published first: same bytes
            AtomicFiles.rename(temp, target);
            return expectedDigest;
        } catch (IOException | RuntimeException e) {
            RuntimeFailure failure = e instanceof RuntimeFailure known ? known
                    : new RuntimeFailure(Kind.INTERNAL, "write " + expectedDigest + ": " + e.getMessage(), e);
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
    }

    /** Copies at most one byte more than expected into {@code temp}, then checks size and digest. */
    private static void copyVerified(InputStream in, Path temp, String expectedDigest, long expectedSize) throws IOException {
        MessageDigest sha256 = Digests.newSha256();
        long size = 0;
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            OutputStream out = Channels.newOutputStream(channel);
            byte[] buffer = new byte[BUFFER];
            int n;
            while (size <= expectedSize && (n = in.read(buffer, 0, (int) Math.min(buffer.length, expectedSize - size + 1))) >= 0) {
                size += n;
                sha256.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
            channel.force(true);
        }
        if (size > expectedSize) {
            throw RuntimeFailure.invalid("content does not match: expected " + expectedDigest + " (" + expectedSize
                    + " bytes), got more than " + expectedSize + " bytes");
        }
        String actual = Digests.of(sha256.digest());
        if (size != expectedSize || !actual.equals(expectedDigest)) {
            throw RuntimeFailure.invalid("content does not match: expected " + expectedDigest + " (" + expectedSize
                    + " bytes), got " + actual + " (" + size + " bytes)");
        }
    }

    @Override
    public String writeBytes(byte[] data) {
        return write(Digests.sha256(data), data.length, new ByteArrayInputStream(data));
    }

    @Override
    public void delete(String digest) {
        try {
            Files.deleteIfExists(blobPath(digest));
        } catch (IOException e) {
            throw new RuntimeFailure(Kind.INTERNAL, "delete " + digest + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Set<String> list() {
        try (Stream<Path> files = Files.list(blobs)) {
            return files.map(file -> "sha256:" + file.getFileName()).filter(Digests::isValid)
                    .collect(Collectors.toUnmodifiableSet());
        } catch (IOException e) {
            throw new RuntimeFailure(Kind.INTERNAL, "list the content store: " + e.getMessage(), e);
        }
    }

    private Path blobPath(String digest) {
        return blobs.resolve(Digests.check(digest).substring("sha256:".length()));
    }
}
