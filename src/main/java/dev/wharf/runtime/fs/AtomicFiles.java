package dev.wharf.runtime.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/**
 * Write-temp-then-rename: a file or a directory is built under a temporary name beside its place,
 * then renamed over it in one step (rename(2)), so a crash leaves the old whole or the new whole,
 * never a part.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /**
     * Replaces {@code file} with {@code content}: written to a new temporary file in the same
     * directory (created with {@code mode}, or with the umask's mode when {@code mode} is
     * {@code null}), then renamed over it. The temporary file is gone after a failure.
     */
    public static void write(Path file, byte[] content, Set<PosixFilePermission> mode) throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            if (mode == null) {
                Files.createFile(temp);
            } else {
                Files.createFile(temp, PosixFilePermissions.asFileAttribute(mode));
            }
            Files.write(temp, content);
            if (mode != null) {
                Files.setPosixFilePermissions(temp, mode); // the umask may have taken bits off at creation
            }
            rename(temp, file);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** {@link #write(Path, byte[], Set)} with the file's mode left to the umask. */
    public static void write(Path file, byte[] content) throws IOException {
        write(file, content, null);
    }

    /** {@link #write(Path, byte[], Set)} of UTF-8 text. */
    public static void write(Path file, String content, Set<PosixFilePermission> mode) throws IOException {
        write(file, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    /**
     * Moves a finished temporary file or directory to {@code target} in one step. A file at
     * {@code target} is replaced; a directory there makes the rename fail.
     */
    public static void rename(Path temp, Path target) throws IOException {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
