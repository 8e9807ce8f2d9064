package dev.wharf.runtime.local;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.image.TeamImages;
import dev.wharf.runtime.linux.LinuxSyscalls;
import dev.wharf.runtime.linux.SyscallException;
import dev.wharf.runtime.snapshot.IdShiftingCopy;
import dev.wharf.runtime.snapshot.Snapshotter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A container's root filesystem ({@code <dir>/bundle/rootfs}): an overlay over the layers of an
 * image its team holds, or over one snapshot of a host directory, unpacked for the team's id
 * mapping; the container's changes go to its own upper directory.
 */
final class RootFilesystems {

    private final Snapshotter snapshots;
    private final TeamImages images;
    private final LinuxSyscalls syscalls;

    RootFilesystems(Snapshotter snapshots, TeamImages images, LinuxSyscalls syscalls) {
        this.snapshots = snapshots;
        this.images = images;
        this.syscalls = syscalls;
    }

    static Path of(Path containerDir) {
        return containerDir.resolve("bundle").resolve("rootfs");
    }

    /** Refuses a spec whose source is not there: a missing host directory, or an image its team does not hold. */
    void requireSource(ContainerSpec spec) {
        if (spec.rootfs() instanceof Rootfs.Directory directory && !Files.isDirectory(directory.path(), LinkOption.NOFOLLOW_LINKS)) {
            throw RuntimeFailure.invalid("rootfs directory " + directory.path() + " does not exist");
        }
        if (spec.rootfs() instanceof Rootfs.Image image) {
            images.get(spec.teamId(), image.digest()); // only an image the team holds
        }
    }

    void mount(ContainerSpec spec, IdMapping ids, Path containerDir) {
        snapshots.mountActive(layers(spec, ids), containerDir, of(containerDir));
    }

    /** Mounts the root filesystem again unless it is still mounted (it is not after a reboot). */
    void remount(ContainerSpec spec, IdMapping ids, Path containerDir) {
        if (!isOverlay(of(containerDir))) {
            mount(spec, ids, containerDir);
        }
    }

    void remove(Path containerDir) {
        snapshots.removeActive(containerDir, of(containerDir));
    }

    /** The snapshot keys of a container's root filesystem, top first, unpacked for its team's id mapping. */
    private List<String> layers(ContainerSpec spec, IdMapping ids) {
        if (spec.rootfs() instanceof Rootfs.Image image) {
            return images.layersFor(spec.teamId(), image.digest(), ids);
        }
        return List.of(directorySnapshot(((Rootfs.Directory) spec.rootfs()).path(), ids));
    }

    /** A host directory becomes one committed snapshot per (directory, change time, id mapping). */
    private String directorySnapshot(Path source, IdMapping ids) {
        String key;
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((source.toRealPath() + "\n" + Files.getLastModifiedTime(source)).getBytes(StandardCharsets.UTF_8));
            key = "dir-" + HexFormat.of().formatHex(sha.digest()).substring(0, 24) + "@" + ids.key();
        } catch (IOException | NoSuchAlgorithmException e) {
            throw RuntimeFailure.invalid("rootfs directory " + source + " cannot be read: " + e.getMessage());
        }
        snapshots.commit(key, target -> IdShiftingCopy.copy(source, target, ids));
        return key;
    }

    private boolean isOverlay(Path path) {
        try {
            return syscalls.statfs(path.toString()).type() == LinuxSyscalls.OVERLAYFS_SUPER_MAGIC;
        } catch (SyscallException e) {
            return false;
        }
    }
}
