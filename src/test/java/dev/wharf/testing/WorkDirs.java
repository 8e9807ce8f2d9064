package dev.wharf.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Scratch directories for tests and benchmarks that run containers: under /var/tmp (a real
 * disk, where overlayfs works) with mode 0711, because a container's mapped root must pass
 * through every directory above its bundle.
 */
public final class WorkDirs {

    private WorkDirs() {
    }

    public static Path create(String prefix) throws IOException {
        Path dir = Files.createDirectories(Path.of("/var/tmp", prefix + UUID.randomUUID().toString().substring(0, 8)));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        return dir;
    }

    /**
     * A directory that outlives test runs, {@code /var/tmp/wharf-test-cache/<name>} (mode 0711), for
     * fixtures that take minutes to build; whoever builds into it names its entries after what they
     * were built from, so a change builds anew.
     */
    public static Path cache(String name) throws IOException {
        Path dir = Files.createDirectories(Path.of("/var/tmp", "wharf-test-cache", name));
        Files.setPosixFilePermissions(dir.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        return dir;
    }

    /**
     * Deletes a tree, deepest first, without following symlinks out of it. Whatever a failed test
     * left mounted below it (a volume's filesystem, an overlay) is unmounted first, so its files
     * are not walked and no loop device stays behind.
     */
    public static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        unmountBelow(dir);
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Unmounts every mount at or below {@code dir}, deepest first. */
    public static void unmountBelow(Path dir) throws IOException {
        String root = dir.toRealPath().toString();
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String point = line.split(" ")[4].replace("\\040", " ");
            if (point.equals(root) || point.startsWith(root + "/")) {
                mounts.add(point);
            }
        }
        mounts.sort(Comparator.comparing(String::length).reversed());
        for (String point : mounts) {
            try {
                new ProcessBuilder("umount", point).inheritIO().start().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
