package dev.wharf.runtime.fs;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Paths inside a container's root filesystem, resolved on the host as a process whose root is that
 * directory would resolve them: a symbolic link's absolute target starts again at the root, {@code ..}
 * stops at the root, and at most {@link #MAX_LINKS} links are followed. Nothing a tree holds can
 * lead the host to a file outside it (the {@code docker cp} and layer-unpacking escapes followed
 * links with the host's own resolver).
 *
 * <p>The tree must not change while it is read: a container's root filesystem before its process
 * starts, a snapshot, an unpacked layer. (A tree that a running process rewrites could swap a
 * directory for a link between the check and the open.)
 */
public final class RootPaths {

    /** Links followed in one resolution before it fails, as Linux's {@code MAXSYMLINKS}. */
    public static final int MAX_LINKS = 40;

    private static final int S_IFMT = 0170000;

    private RootPaths() {
    }

    /**
     * The host path of {@code path} (absolute or not, always taken from the root) inside {@code root},
     * every link on the way followed inside the root, the last component's too. The result need not
     * exist; it is always {@code root} or below it.
     *
     * @throws FileSystemException naming {@code path}: more than {@link #MAX_LINKS} links (a loop,
     *                             such as a link to itself), or a component that is not a directory
     */
    public static Path resolve(Path root, String path) throws IOException {
        Deque<String> todo = new ArrayDeque<>(components(path));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String name = todo.removeFirst();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            Path here = hostPath(root, done).resolve(name);
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(here, BasicFileAttributes.class, NOFOLLOW_LINKS);
            } catch (NoSuchFileException missing) {
                done.add(name);
                continue;
            } catch (FileSystemException e) { // named by its host path: name it as the root sees it
                String reason = e.getReason() == null ? "not readable" : e.getReason().toLowerCase(java.util.Locale.ROOT);
                throw new FileSystemException(path, null, "cannot be resolved: " + reason);
            }
            if (!attributes.isSymbolicLink()) {
                done.add(name);
                continue;
            }
            if (++links > MAX_LINKS) {
                throw new FileSystemException(path, null,
                        "has too many levels of symbolic links (a loop: links lead only to paths inside the root)");
            }
            String target = Files.readSymbolicLink(here).toString();
            if (target.startsWith("/")) {
                done.clear();
            }
            List<String> parts = components(target);
            for (int i = parts.size() - 1; i >= 0; i--) {
                todo.addFirst(parts.get(i));
            }
        }
        return hostPath(root, done);
    }

    /**
     * The content of the regular file at {@code path} inside {@code root} ({@link #resolve}d), or
     * empty when nothing is there. Anything else is refused before it is opened, so a FIFO never
     * blocks the reader and a device is never read.
     *
     * @throws FileSystemException naming {@code path}: not a regular file, larger than
     *                             {@code maxBytes}, or one of {@link #resolve}'s refusals
     */
    public static Optional<byte[]> readRegularFile(Path root, String path, int maxBytes) throws IOException {
        Path file = resolve(root, path);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, NOFOLLOW_LINKS);
        } catch (NoSuchFileException missing) {
            return Optional.empty();
        }
        if (!attributes.isRegularFile()) {
            throw new FileSystemException(path, null, "is " + kind(file) + ", not a regular file");
        }
        if (!file.toRealPath().startsWith(root.toRealPath())) { // only a tree changed meanwhile gets here
            throw new FileSystemException(path, null, "leads out of the root");
        }
        if (attributes.size() > maxBytes) {
            throw tooLarge(path, maxBytes);
        }
        try (SeekableByteChannel channel = Files.newByteChannel(file, StandardOpenOption.READ, NOFOLLOW_LINKS);
                InputStream in = Channels.newInputStream(channel)) {
            byte[] content = in.readNBytes(maxBytes + 1);
            if (content.length > maxBytes) {
                throw tooLarge(path, maxBytes);
            }
            return Optional.of(content);
        }
    }

    private static FileSystemException tooLarge(String path, int maxBytes) {
        return new FileSystemException(path, null, "is larger than " + (maxBytes % (1 << 20) == 0 ? (maxBytes >> 20) + " MiB"
                : maxBytes + " bytes"));
    }

    /** What a file that is not a regular one is, from its mode. */
    private static String kind(Path file) throws IOException {
        int type = (Integer) Files.getAttribute(file, "unix:mode", NOFOLLOW_LINKS) & S_IFMT;
        return switch (type) {
            case 0040000 -> "a directory";
            case 0010000 -> "a FIFO";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            case 0140000 -> "a socket";
            default -> "a special file";
        };
    }

    private static List<String> components(String path) {
        return List.of(path.split("/"));
    }

    private static Path hostPath(Path root, List<String> components) {
        Path path = root;
        for (String name : components) {
            path = path.resolve(name);
        }
        return path;
    }
}
