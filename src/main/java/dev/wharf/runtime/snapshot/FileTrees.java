package dev.wharf.runtime.snapshot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** The runtime's own directory trees (snapshots, container dirs, volumes, import scratch): their size, their deletion. */
public final class FileTrees {

    private FileTrees() {
    }

    /**
     * Bytes of the regular files under {@code dir} (each hard-linked file once; symlinks not
     * followed); 0 when it does not exist. Files vanishing meanwhile are skipped.
     */
    public static long usage(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        java.util.Set<Object> seen = new java.util.HashSet<>();
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            return files.mapToLong(file -> {
                try {
                    java.nio.file.attribute.BasicFileAttributes attributes = Files.readAttributes(file,
                            java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    return attributes.isRegularFile() && (attributes.fileKey() == null || seen.add(attributes.fileKey()))
                            ? attributes.size() : 0;
                } catch (IOException gone) {
                    return 0;
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** Deletes {@code path} and everything below it, deepest first, never following a symlink out of it. */
    public static void delete(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
                for (Path child : children) {
                    delete(child);
                }
            }
        }
        Files.delete(path);
    }
}
