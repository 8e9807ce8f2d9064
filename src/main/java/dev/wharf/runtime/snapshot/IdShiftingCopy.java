package dev.wharf.runtime.snapshot;

import dev.wharf.runtime.api.IdMapping;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Copies a directory tree into a snapshot with every owner shifted into a team's id mapping,
 * so the team's user namespace sees the files as their original owners. Symlinks are copied as
 * links (never followed), hard links stay linked, modes (with setuid/setgid bits) and mtimes are
 * kept; device nodes, sockets and fifos are skipped.
 */
public final class IdShiftingCopy {

    private IdShiftingCopy() {
    }

    public static void copy(Path source, Path target, IdMapping ids) throws IOException {
        Map<Object, Path> copiedInodes = new HashMap<>();
        Deque<Path[]> directoryTimes = new ArrayDeque<>();
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path to = target.resolve(source.relativize(dir).toString());
                Files.createDirectories(to);
                shiftOwnerAndMode(dir, to, ids);
                directoryTimes.push(new Path[] {dir, to});
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path to = target.resolve(source.relativize(file).toString());
                if (attrs.isSymbolicLink()) {
                    Files.createSymbolicLink(to, Files.readSymbolicLink(file));
                    shiftOwner(file, to, ids);
                    Files.getFileAttributeView(to, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                            .setTimes(attrs.lastModifiedTime(), null, null);
                } else if (attrs.isRegularFile()) {
                    Object inode = attrs.fileKey();
                    int links = (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
                    Path earlier = links > 1 && inode != null ? copiedInodes.get(inode) : null;
                    if (earlier != null) {
                        Files.createLink(to, earlier);
                    } else {
                        Files.copy(file, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                        shiftOwnerAndMode(file, to, ids);
                        Files.setLastModifiedTime(to, attrs.lastModifiedTime());
                        if (links > 1 && inode != null) {
                            copiedInodes.put(inode, to);
                        }
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Path[] pair = directoryTimes.pop();
                FileTime time = Files.getLastModifiedTime(pair[0], LinkOption.NOFOLLOW_LINKS);
                Files.setLastModifiedTime(pair[1], time);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void shiftOwner(Path from, Path to, IdMapping ids) throws IOException {
        int uid = (Integer) Files.getAttribute(from, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(from, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:uid", (int) ids.toHost(uid), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:gid", (int) ids.toHost(gid), LinkOption.NOFOLLOW_LINKS);
    }

    /** chown clears setuid/setgid, so the mode is written after the owner. */
    private static void shiftOwnerAndMode(Path from, Path to, IdMapping ids) throws IOException {
        shiftOwner(from, to, ids);
        Files.setAttribute(to, "unix:mode", Files.getAttribute(from, "unix:mode", LinkOption.NOFOLLOW_LINKS));
    }
}
