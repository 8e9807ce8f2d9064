package dev.wharf.runtime.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Plain files standing in for cgroup interface files in a temporary tree. */
final class TestFiles {

    private TestFiles() {
    }

    /** Writes {@code content} to {@code file}, creating its directories, as the kernel would show it. */
    static Path put(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String content(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
