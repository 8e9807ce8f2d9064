package dev.wharf.runtime.snapshot.overlay;

import dev.wharf.runtime.fs.AtomicFiles;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.linux.LinuxSyscalls;
import dev.wharf.runtime.linux.SyscallException;
import dev.wharf.runtime.snapshot.FileTrees;
import dev.wharf.runtime.snapshot.Snapshotter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Snapshots on overlayfs. Layout under the root: {@code <key>/fs} holds a layer's files; work in
 * progress lives in {@code .tmp-*} until it is renamed into place.
 *
 * <h2>Who reaches the layers</h2>
 * The root is root's alone (0700): a layer's files belong to a team's mapped ids and may carry
 * setuid bits or file capabilities, and no other user of the host may reach them, let alone run
 * them. Containers need no access of their own: overlayfs reaches its lower layers with the
 * credentials of whoever mounted it (root). A container's overlay is mounted {@code nosuid,nodev},
 * so nothing on it raises privileges or opens a device, whoever runs it (inside a container,
 * {@code noNewPrivileges} already forbids both).
 */
public final class OverlaySnapshotter implements Snapshotter {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,200}");
    private static final Set<PosixFilePermission> ROOT_ONLY = PosixFilePermissions.fromString("rwx------");

    private final Path root;
    private final LinuxSyscalls syscalls;

    public OverlaySnapshotter(Path root, LinuxSyscalls syscalls) {
        this.root = root;
        this.syscalls = syscalls;
        try {
            Files.createDirectories(root);
            Files.setPosixFilePermissions(root, ROOT_ONLY);
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(root, ".tmp-*")) {
                for (Path leftover : leftovers) {
                    FileTrees.delete(leftover);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare snapshot store " + root, e);
        }
    }

    private Path dir(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw RuntimeFailure.invalid("snapshot key \"" + key + "\" is not valid");
        }
        return root.resolve(key.replace(':', '_'));
    }

    @Override
    public boolean exists(String key) {
        return Files.isDirectory(dir(key).resolve("fs"));
    }

    @Override
    public synchronized void commit(String key, LayerWriter writer) {
        Path target = dir(key);
        if (exists(key)) {
            return;
        }
        Path temp = root.resolve(".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(temp.resolve("fs"));
            writer.write(temp.resolve("fs"));
            AtomicFiles.rename(temp, target);
        } catch (IOException | RuntimeException e) {
            try {
                FileTrees.delete(temp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof RuntimeFailure failure) {
                throw failure;
            }
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "commit snapshot " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Set<String> list() {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> !d.getFileName().toString().startsWith(".tmp-") && Files.isDirectory(d.resolve("fs")))
                    .map(d -> d.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void mountActive(List<String> layers, Path privateDir, Path target) {
        if (layers.isEmpty()) {
            throw RuntimeFailure.invalid("a root filesystem needs at least one layer");
        }
        for (String key : layers) {
            if (!exists(key)) {
                throw RuntimeFailure.notFound("snapshot " + key + " does not exist");
            }
        }
        String lower = layers.stream().map(k -> dir(k).resolve("fs").toString()).collect(Collectors.joining(":"));
        Path upper = privateDir.resolve("upper");
        Path work = privateDir.resolve("work");
        try {
            Files.createDirectories(upper);
            Files.createDirectories(work);
            Files.createDirectories(target);
            // the upper's root takes the owner and mode of the top layer's root, as the container sees "/"
            Path topRoot = dir(layers.get(0)).resolve("fs");
            Files.setAttribute(upper, "unix:uid", Files.getAttribute(topRoot, "unix:uid"));
            Files.setAttribute(upper, "unix:gid", Files.getAttribute(topRoot, "unix:gid"));
            Files.setAttribute(upper, "unix:mode", Files.getAttribute(topRoot, "unix:mode"));
        } catch (IOException e) {
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "prepare rootfs in " + privateDir + ": " + e.getMessage(), e);
        }
        String options = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
        try {
            syscalls.mount("overlay", target.toString(), "overlay", LinuxSyscalls.MS_NOSUID | LinuxSyscalls.MS_NODEV, options);
        } catch (SyscallException e) {
            throw new RuntimeFailure(RuntimeFailure.Kind.UNAVAILABLE, "mount overlay rootfs at " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void removeActive(Path privateDir, Path target) {
        try {
            syscalls.umount2(target.toString(), LinuxSyscalls.MNT_DETACH);
        } catch (SyscallException e) {
            if (e.errno() != 22 && e.errno() != 2) { // EINVAL: not mounted; ENOENT: gone
                throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "unmount " + target + ": " + e.getMessage(), e);
            }
        }
        try {
            FileTrees.delete(privateDir.resolve("upper"));
            FileTrees.delete(privateDir.resolve("work"));
        } catch (IOException e) {
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "delete " + privateDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void remove(String key) {
        Path target = dir(key);
        if (!Files.exists(target)) {
            return;
        }
        try {
            Path doomed = root.resolve(".tmp-" + UUID.randomUUID());
            AtomicFiles.rename(target, doomed);
            FileTrees.delete(doomed);
        } catch (IOException e) {
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "remove snapshot " + key + ": " + e.getMessage(), e);
        }
    }
}
