package dev.wharf.runtime.local;

import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.fs.AtomicFiles;
import dev.wharf.runtime.snapshot.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * Who may enter the runtime's part of the data directory. Everything is root's, and private,
 * except the path a team's mapped ids take to their own root filesystem and volumes:
 * <pre>
 * DATA/                    0711 root             traverse only: nobody lists it
 *   containers/            0711 root
 *     &lt;id&gt;/                0710 root:TEAM-GID    only root and the team's mapped ids pass
 *       bundle/config.json 0600                  the team's environment (secrets)
 *       container.json, ctr.log, runc.log  0600
 *       hosts, hostname, resolv.conf       0644  bind-mounted: read inside the container
 *   volumes/               0711 root
 *     team-&lt;id&gt;/          0710 root:TEAM-GID
 *   runc/ exits/ sockets/ snapshots/ content/ images/ network/ teams/   0700 root
 * </pre>
 * Layers in {@code snapshots/} are overlay lower directories, opened by root when the overlay is
 * mounted; the container reaches them through the mount, never by their path. Modes are set
 * explicitly (never left to the umask) when a directory is made, and corrected when the runtime
 * opens an existing data directory.
 */
final class PrivateTrees {

    static final Set<PosixFilePermission> TRAVERSE_ONLY = PosixFilePermissions.fromString("rwx--x--x");
    static final Set<PosixFilePermission> TEAM_TRAVERSE = PosixFilePermissions.fromString("rwx--x---");
    static final Set<PosixFilePermission> ROOT_ONLY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> READABLE_FILE = PosixFilePermissions.fromString("rw-r--r--");

    /** The runtime's root-only directories under the data directory. */
    static final List<String> ROOT_ONLY_DIRS = List.of("runc", "exits", "sockets", "snapshots", "content", "images", "network", "teams", "image-grants");
    /** Files in a container's directory that only root reads. */
    private static final List<String> CONTAINER_FILES = List.of("container.json", "bundle/config.json", "ctr.log", "runc.log",
            "pidfile", "conmon.pid");

    private PrivateTrees() {
    }

    /** Creates the data directory and the runtime's directories in it with their modes, or corrects the modes of existing ones. */
    static void secure(Path dataDir) {
        directory(dataDir, TRAVERSE_ONLY);
        directory(dataDir.resolve("containers"), TRAVERSE_ONLY);
        directory(dataDir.resolve("volumes"), TRAVERSE_ONLY);
        for (String name : ROOT_ONLY_DIRS) {
            directory(dataDir.resolve(name), ROOT_ONLY);
        }
    }

    /**
     * A directory of one team (a container's, the team's volumes): root's, passable by the team's
     * mapped group only, so that no other team's ids and no other local user reach inside.
     */
    static void teamDirectory(Path dir, IdMapping ids) {
        directory(dir, TEAM_TRAVERSE);
        try {
            Files.setAttribute(dir, "unix:uid", 0, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(dir, "unix:gid", (int) ids.hostBase(), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot give " + dir + " to its team", e);
        }
    }

    /** Corrects an existing container directory: its own mode and owner, and its root-only files. */
    static void secureContainer(Path dir, IdMapping ids) {
        teamDirectory(dir, ids);
        for (String name : CONTAINER_FILES) {
            Path file = dir.resolve(name);
            try {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(file, PRIVATE_FILE);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make " + file + " private", e);
            }
        }
    }

    /** Replaces {@code file} (making its directory) with {@code content} and {@code mode}, in one rename. */
    static void writeFile(Path file, Set<PosixFilePermission> mode, String content) {
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, content, mode);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Deletes {@code dir} and everything in it, if it exists. */
    static void deleteTree(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /** Creates {@code dir} (and missing parents) with {@code mode}, or sets {@code mode} on an existing one. */
    static void directory(Path dir, Set<PosixFilePermission> mode) {
        try {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(mode));
            } catch (java.nio.file.FileAlreadyExistsException exists) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    throw exists;
                }
            }
            Files.setPosixFilePermissions(dir, mode); // the umask may have taken bits off at creation
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }
}
