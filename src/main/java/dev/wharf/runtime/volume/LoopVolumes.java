package dev.wharf.runtime.volume;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.VolumeInfo;
import dev.wharf.runtime.linux.LinuxSyscalls;
import dev.wharf.runtime.linux.SyscallException;
import dev.wharf.runtime.process.CommandRunner;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Volumes with a hard size: each volume is a sparse image file ({@code <name>.img}, as long as the
 * volume's size) holding an ext4 filesystem, loop-mounted {@code nosuid,nodev} at the volume's
 * directory ({@code <name>/}, beside the image). A write past the size fails inside the container
 * with {@code ENOSPC}, and the volume never takes more of the host's disk than its size.
 *
 * <p>Lifecycle: {@link #create} makes the image, its filesystem (root owned by the team's mapped
 * root) and the mount, all or nothing; {@link #mount} mounts an existing image again (a runtime
 * that starts after a reboot), leaving one that is mounted already alone (running containers keep
 * theirs); {@link #unmount} takes the mount away and keeps the image; {@link #remove} unmounts
 * (the loop device goes with the mount: {@code mount -o loop} sets it to clear itself) and
 * deletes the image and the directory.
 */
public final class LoopVolumes {

    private static final Logger log = LoggerFactory.getLogger(LoopVolumes.class);
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    /** from this size on the filesystem gets a journal (below, it would take a big share of the volume) */
    private static final long JOURNAL_FROM = 32L << 20;
    private static final int EINVAL = 22;

    private final String mkfs;
    private final String mount;
    private final LinuxSyscalls syscalls;

    /**
     * @param mkfs  the {@code mkfs.ext4} binary (e2fsprogs)
     * @param mount the {@code mount} binary (util-linux), which sets up the loop device
     */
    public LoopVolumes(String mkfs, String mount, LinuxSyscalls syscalls) {
        this.mkfs = mkfs;
        this.mount = mount;
        this.syscalls = syscalls;
    }

    /** The image file of the volume mounted at {@code dir}. */
    public static Path image(Path dir) {
        return dir.resolveSibling(dir.getFileName() + ".img");
    }

    /**
     * Makes a volume of {@code sizeBytes} (at least {@link VolumeInfo#MIN_SIZE_BYTES}) mounted at
     * {@code dir}, whose root belongs to {@code uid}:{@code gid}. On any failure nothing of it is
     * left: no image, no loop device, no mount, no directory.
     */
    public synchronized void create(Path dir, long sizeBytes, long uid, long gid) {
        Path image = image(dir);
        String name = dir.getFileName().toString();
        Deque<Runnable> undo = new ArrayDeque<>();
        try {
            Files.createFile(image, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            undo.push(() -> delete(image));
            try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
                file.setLength(sizeBytes); // sparse: the disk fills only as the volume does
            }
            List<String> format = new ArrayList<>(List.of(mkfs, "-q", "-F", "-t", "ext4", "-m", "0", "-E", "root_owner=" + uid + ":" + gid));
            if (sizeBytes < JOURNAL_FROM) {
                format.addAll(List.of("-O", "^has_journal"));
            }
            format.add(image.toString());
            run(format, "make the filesystem of volume " + name);
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            undo.push(() -> delete(dir));
            mountImage(dir);
            undo.push(() -> unmount(dir));
            Files.deleteIfExists(dir.resolve("lost+found")); // an empty volume looks empty (e2fsck makes it again if it needs it)
        } catch (IOException e) {
            RuntimeFailure failure = new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "cannot create volume " + name + ": "
                    + e.getClass().getSimpleName(), e);
            throw undo(undo, failure);
        } catch (RuntimeException e) {
            throw undo(undo, e);
        }
    }

    /**
     * Mounts the image of {@code dir} unless it is mounted already. Returns false when there is no
     * image (a volume made before volumes had a size of their own: a plain directory).
     */
    public synchronized boolean mount(Path dir) {
        if (!Files.isRegularFile(image(dir), LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        if (!isMounted(dir)) {
            mountImage(dir);
            log.info("mounted volume {}", dir.getFileName());
        }
        return true;
    }

    /** Whether something is mounted at {@code dir} (it lies on another device than its parent). */
    public static boolean isMounted(Path dir) {
        try {
            Object own = Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            Object parent = Files.getAttribute(dir.getParent(), "unix:dev", LinkOption.NOFOLLOW_LINKS);
            return !own.equals(parent);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Unmounts the volume at {@code dir} (if mounted); the image stays. */
    public synchronized void unmount(Path dir) {
        if (!isMounted(dir)) {
            return;
        }
        try {
            syscalls.umount2(dir.toString(), 0);
        } catch (SyscallException e) {
            if (e.errno() != EINVAL) { // EINVAL: not a mount point (any more)
                throw RuntimeFailure.precondition("volume " + dir.getFileName() + " cannot be unmounted: " + e.getMessage());
            }
        }
    }

    /** Unmounts the volume and deletes its image and directory (an unmount that fails leaves all as it was). */
    public synchronized void remove(Path dir) {
        unmount(dir);
        delete(dir);
        delete(image(dir));
    }

    private void mountImage(Path dir) {
        run(List.of(mount, "-t", "ext4", "-o", "loop,nosuid,nodev,noatime,discard", image(dir).toString(), dir.toString()),
                "mount volume " + dir.getFileName());
    }

    private static void run(List<String> command, String what) {
        CommandRunner.Result result = CommandRunner.run(command, TOOL_TIMEOUT);
        if (!result.ok()) {
            log.warn("cannot {}: {} said: {}", what, String.join(" ", command), result.reason());
            // the tool's words name host paths: the caller learns what failed and how, the log has the rest
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "cannot " + what + ": "
                    + Path.of(command.get(0)).getFileName() + (result.timedOut() ? " timed out" : " exited with " + result.exitCode()));
        }
    }

    private static RuntimeException undo(Deque<Runnable> undo, RuntimeException failure) {
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException cleanup) {
                failure.addSuppressed(cleanup);
            }
        }
        return failure;
    }

    /** Deletes an empty directory or a file; never walks into a volume (it may still be mounted). */
    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path.getFileName(), e);
        }
    }
}
