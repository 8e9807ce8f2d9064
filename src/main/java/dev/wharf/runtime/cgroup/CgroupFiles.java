package dev.wharf.runtime.cgroup;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeFailure.Kind;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What both cgroup drivers share: Wharf's names in the tree, reading and writing single cgroup
 * files, and removing cgroup directories. Every I/O failure becomes a {@link RuntimeFailure}
 * that names the file and keeps the cause.
 */
final class CgroupFiles {

    /** The CFS period Wharf always uses, in microseconds (100 ms). */
    static final long CPU_PERIOD_US = 100_000;

    /** Limits at or above this are the kernel's way of saying "unlimited" (v1 shows 2^63 - 4096, v2 "max"). */
    private static final long UNLIMITED_FROM = 1L << 62;
    /** The kernel refuses a CFS quota below 1 ms. */
    private static final long MIN_CPU_QUOTA_US = 1_000;
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]*");
    private static final Pattern ROOT = Pattern.compile("/?" + SEGMENT + "(/" + SEGMENT + ")*");
    private static final Pattern CONTAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private CgroupFiles() {
    }

    /** Checks Wharf's root: a relative ({@code wharf}) or absolute ({@code /wharf}) path of plain names. */
    static String checkRoot(String root) {
        if (root == null || !ROOT.matcher(root).matches()) {
            throw RuntimeFailure.invalid("cgroup root must be a path of plain names like 'wharf' or '/wharf', got '" + root + "'");
        }
        return root;
    }

    static boolean isAbsolute(String root) {
        return root.startsWith("/");
    }

    /** {@code team-<teamId>}. */
    static String teamName(long teamId) {
        if (teamId < 1) {
            throw RuntimeFailure.invalid("team id must be positive, got " + teamId);
        }
        return "team-" + teamId;
    }

    /** {@code ctr-<containerId>}. */
    static String containerName(String containerId) {
        if (containerId == null || !CONTAINER_ID.matcher(containerId).matches()) {
            throw RuntimeFailure.invalid("container id must be letters, digits, '_', '.' or '-', got '" + containerId + "'");
        }
        return "ctr-" + containerId;
    }

    /** {@code dir} when it exists; otherwise the container has no cgroup, which is a not-found failure. */
    static Path requireContainer(Path dir, String containerId) {
        if (!Files.isDirectory(dir)) {
            throw RuntimeFailure.notFound("container " + containerId + " has no cgroup at " + dir);
        }
        return dir;
    }

    /** A cgroup path as the kernel writes it ({@code /a/b}, {@code /}) resolved under {@code dir}. */
    static Path under(Path dir, String cgroupPath) {
        return dir.resolve(cgroupPath.replaceFirst("^/+", ""));
    }

    /** The CFS quota in microseconds per {@link #CPU_PERIOD_US} for {@code cpus} cores. */
    static long cpuQuotaMicros(double cpus) {
        return Math.max(MIN_CPU_QUOTA_US, Math.round(cpus * CPU_PERIOD_US));
    }

    /** The smaller of a container's and its team's limit files, {@code null} when both are unlimited. */
    static Long effectiveLimit(Path containerFile, Path teamFile) {
        long limit = Math.min(readNumber(containerFile), readNumber(teamFile));
        return limit >= UNLIMITED_FROM ? null : limit;
    }

    /** The trimmed content of a cgroup file. */
    static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw failure("read " + file, e);
        }
    }

    /** A file holding one number; {@code max} reads as {@link Long#MAX_VALUE}. */
    static long readNumber(Path file) {
        String value = read(file);
        if (value.equals("max")) {
            return Long.MAX_VALUE;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new RuntimeFailure(Kind.INTERNAL, "read " + file + ": expected a number, got '" + value + "'", e);
        }
    }

    /** The number after {@code key} in a flat keyed file ({@code oom_kill 3}); 0 when the key is absent. */
    static long readKeyed(Path file, String key) {
        return read(file).lines()
                .map(line -> line.split("\\s+"))
                .filter(fields -> fields.length == 2 && fields[0].equals(key))
                .mapToLong(fields -> Long.parseLong(fields[1]))
                .findFirst()
                .orElse(0);
    }

    /** Writes one value; the kernel applies it, or refuses it with an error that ends up in the failure. */
    static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw failure("write '" + value + "' to " + file, e);
        }
    }

    static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw failure("create cgroup " + dir, e);
        }
    }

    /**
     * Removes a cgroup directory if present. On cgroupfs {@code rmdir} alone removes a cgroup without
     * processes, with its interface files; a directory elsewhere (a test tree standing in for
     * {@code /sys/fs/cgroup}) has real files that go first.
     */
    static void removeCgroup(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try {
            if (!onCgroupFs(dir)) {
                for (Path file : list(dir)) {
                    if (Files.isRegularFile(file)) {
                        Files.delete(file);
                    }
                }
            }
            deleteBusyDirectory(dir);
        } catch (IOException e) {
            throw failure("remove cgroup " + dir, e);
        }
    }

    /**
     * {@code rmdir} of a cgroup whose last process has just been reaped can still answer EBUSY
     * for a moment while the kernel lets go of it: tried again for up to a second.
     */
    private static void deleteBusyDirectory(Path dir) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (java.nio.file.FileSystemException e) {
                if (attempt == 50 || e.getReason() == null || !e.getReason().contains("busy")) {
                    throw e;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Removes the team directories (one per hierarchy) unless any still holds a {@code ctr-*} cgroup;
     * returns whether none is left.
     */
    static boolean removeTeamCgroups(List<Path> teamDirs) {
        List<Path> present = teamDirs.stream().filter(Files::isDirectory).toList();
        for (Path team : present) {
            if (list(team).stream().anyMatch(child -> Files.isDirectory(child) && child.getFileName().toString().startsWith("ctr-"))) {
                return false;
            }
        }
        present.forEach(CgroupFiles::removeCgroup);
        return true;
    }

    /** Creates and removes a probe cgroup under {@code wharfRoot}; a readable problem when that fails. */
    static Optional<String> probe(Path wharfRoot) {
        Path probe = wharfRoot.resolve(".probe-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        boolean rootExisted = Files.isDirectory(wharfRoot);
        try {
            Files.createDirectories(probe);
        } catch (IOException e) {
            return Optional.of("cannot create cgroups under " + wharfRoot + ": " + reason(e)
                    + " (run Wharf as root or delegate the cgroup)");
        }
        try {
            removeCgroup(probe);
            if (!rootExisted) {
                removeCgroup(wharfRoot); // a check leaves the host as it found it
            }
        } catch (RuntimeFailure e) {
            return Optional.of("cannot remove cgroups under " + wharfRoot + ": " + e.getMessage());
        }
        return Optional.empty();
    }

    /** The failure for an I/O error on a cgroup file: "not allowed" means the host is not set up for Wharf. */
    private static RuntimeFailure failure(String what, IOException e) {
        Kind kind = e instanceof AccessDeniedException ? Kind.UNAVAILABLE : Kind.INTERNAL;
        return new RuntimeFailure(kind, what + ": " + reason(e), e);
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage();
    }

    private static boolean onCgroupFs(Path dir) throws IOException {
        String type = Files.getFileStore(dir).type();
        return type.equals("cgroup") || type.equals("cgroup2");
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.toList();
        } catch (IOException e) {
            throw failure("list " + dir, e);
        }
    }
}
