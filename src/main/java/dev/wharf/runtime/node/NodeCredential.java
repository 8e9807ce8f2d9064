package dev.wharf.runtime.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The secret a node shares with its control plane, in {@code <wharf.data-dir>/node/credential}
 * (mode 0600, in a 0700 directory). Written once when the node joins; every call to the node's
 * endpoints must carry it. Its value is never logged or shown.
 */
final class NodeCredential {

    private final Path file;

    NodeCredential(Path dataDir) {
        this.file = dataDir.resolve("node").resolve("credential");
    }

    Path file() {
        return file;
    }

    boolean exists() {
        return Files.isRegularFile(file);
    }

    /** The stored credential, or empty when the node has not joined yet. */
    Optional<String> read() {
        try {
            String value = Files.readString(file, StandardCharsets.UTF_8).strip();
            return value.isEmpty() ? Optional.empty() : Optional.of(value);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the node credential " + file, e);
        }
    }

    /** Stores {@code credential}, replacing any: written to a temporary 0600 file, then renamed into place. */
    void write(String credential) {
        if (credential == null || credential.isBlank()) {
            throw new IllegalArgumentException("the credential is empty");
        }
        try {
            Path dir = file.getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            dev.wharf.runtime.fs.AtomicFiles.write(file, credential.strip() + "\n", PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the node credential " + file, e);
        }
    }

    /** Whether {@code presented} equals {@code expected}, in time that tells nothing about either (both are hashed first). */
    static boolean matches(String expected, String presented) {
        if (expected == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(expected), sha256(presented));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
