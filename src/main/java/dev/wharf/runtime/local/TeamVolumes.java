package dev.wharf.runtime.local;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.VolumeInfo;
import dev.wharf.runtime.api.VolumeMount;
import dev.wharf.runtime.snapshot.FileTrees;
import dev.wharf.runtime.volume.LoopVolumes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Team volumes: {@code volumes/team-<id>/<name>}, the mount point of an ext4 filesystem of the
 * volume's size in {@code <name>.img} (see {@link LoopVolumes}), with the size in
 * {@code <name>.size}, written last: a volume with its size file is whole.
 */
final class TeamVolumes {

    private static final Logger log = LoggerFactory.getLogger(TeamVolumes.class);

    private final Path dir;
    private final LoopVolumes filesystems;
    private final ContainerStore containers;
    private final KnownTeams teams;
    private final long idMapBase;

    TeamVolumes(Path dir, LoopVolumes filesystems, ContainerStore containers, KnownTeams teams, long idMapBase) {
        this.dir = dir;
        this.filesystems = filesystems;
        this.containers = containers;
        this.teams = teams;
        this.idMapBase = idMapBase;
    }

    VolumeInfo create(long teamId, String name, long sizeBytes) {
        new VolumeMount(name, "/v", false); // the name rule
        if (sizeBytes < VolumeInfo.MIN_SIZE_BYTES) {
            throw RuntimeFailure.invalid("volume size must be at least " + VolumeInfo.MIN_SIZE_BYTES / 1024 + " KiB (256Ki), got "
                    + sizeBytes + " bytes");
        }
        teams.requireKnown(teamId);
        synchronized (containers.changeLock()) {
            Path volume = dir(teamId, name);
            if (Files.exists(volume, LinkOption.NOFOLLOW_LINKS) || Files.exists(LoopVolumes.image(volume), LinkOption.NOFOLLOW_LINKS)) {
                throw new RuntimeFailure(RuntimeFailure.Kind.ALREADY_EXISTS, "team " + teamId + " already has a volume " + name);
            }
            IdMapping ids = IdMapping.forTeam(teamId, idMapBase);
            PrivateTrees.teamDirectory(volume.getParent(), ids);
            long disk = diskSize(volume.getParent());
            if (sizeBytes > disk) {
                throw RuntimeFailure.invalid("volume size " + sizeBytes + " bytes is more than this node's disk (" + disk + " bytes)");
            }
            filesystems.create(volume, sizeBytes, ids.hostBase(), ids.hostBase());
            try {
                PrivateTrees.writeFile(volume.resolveSibling(name + ".size"), PrivateTrees.PRIVATE_FILE, sizeBytes + "\n"); // last: a volume with its size is whole
            } catch (RuntimeException e) {
                try {
                    filesystems.remove(volume);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            log.info("created volume {} of team {} ({} bytes)", name, teamId, sizeBytes);
            return volume(teamId, name);
        }
    }

    List<VolumeInfo> list(long teamId) {
        Path teamDir = teamDir(teamId);
        if (!Files.isDirectory(teamDir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(teamDir)) {
            return dirs.filter(Files::isDirectory).filter(d -> Files.exists(d.resolveSibling(d.getFileName() + ".size")))
                    .map(d -> volume(teamId, d.getFileName().toString()))
                    .sorted(Comparator.comparing(VolumeInfo::name)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void remove(long teamId, String name) {
        synchronized (containers.changeLock()) {
            VolumeInfo volume = volume(teamId, name);
            if (!volume.usedBy().isEmpty()) {
                throw RuntimeFailure.precondition("volume " + name + " is mounted by container(s) " + String.join(", ", volume.usedBy()));
            }
            Path path = dir(teamId, name);
            if (Files.exists(LoopVolumes.image(path), LinkOption.NOFOLLOW_LINKS)) {
                filesystems.remove(path);
            } else {
                PrivateTrees.deleteTree(path); // a volume made before volumes had a filesystem of their own
            }
            PrivateTrees.deleteTree(path.resolveSibling(name + ".size"));
        }
        log.info("removed volume {} of team {}", name, teamId);
    }

    /** Refuses a spec that names a volume its team does not have on this node. */
    void requireExisting(ContainerSpec spec) {
        for (VolumeMount volume : spec.volumes()) {
            if (!Files.isDirectory(dir(spec.teamId(), volume.name()), LinkOption.NOFOLLOW_LINKS)) {
                throw RuntimeFailure.notFound("volume " + volume.name() + " of team " + spec.teamId() + " does not exist on this node");
            }
        }
    }

    /** A container binds its volumes' filesystems, never the empty directories below them. */
    void mountFor(ContainerSpec spec) {
        for (VolumeMount volume : spec.volumes()) {
            try {
                filesystems.mount(dir(spec.teamId(), volume.name()));
            } catch (RuntimeFailure e) {
                throw new RuntimeFailure(RuntimeFailure.Kind.UNAVAILABLE, "volume " + volume.name() + " is not mounted: " + e.getMessage(), e);
            }
        }
    }

    /** Refuses to forget a team that still has volumes here. */
    void requireNoneOf(long teamId) {
        Path teamDir = teamDir(teamId);
        try (Stream<Path> volumes = Files.isDirectory(teamDir) ? Files.list(teamDir) : Stream.empty()) {
            if (volumes.findAny().isPresent()) {
                throw RuntimeFailure.precondition("team " + teamId + " still has volumes on this node");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot forget team " + teamId, e);
        }
    }

    /** Removes the (empty) volume directory of a team being forgotten. */
    void forgetTeam(long teamId) {
        try {
            Files.deleteIfExists(teamDir(teamId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot forget team " + teamId, e);
        }
    }

    /**
     * When the runtime opens: corrects the owner and mode of each team's volume directory (written
     * by an older version, or changed by hand), then mounts every volume's filesystem that is not
     * mounted (after a reboot); ones still mounted stay as they are, so running containers keep
     * theirs. A creation that never finished (an image without its size file) is removed.
     */
    void open() {
        secure();
        mountAll();
    }

    private void secure() {
        PrivateTrees.directory(dir, PrivateTrees.TRAVERSE_ONLY);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dir, "team-*")) {
            for (Path teamDir : dirs) {
                String id = teamDir.getFileName().toString().substring("team-".length());
                if (id.matches("[1-9]\\d{0,9}") && Files.isDirectory(teamDir, LinkOption.NOFOLLOW_LINKS)) {
                    PrivateTrees.teamDirectory(teamDir, IdMapping.forTeam(Long.parseLong(id), idMapBase));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read volumes in " + dir, e);
        }
    }

    private void mountAll() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> teamDirs = Files.newDirectoryStream(dir, "team-*")) {
            for (Path teamDir : teamDirs) {
                try (DirectoryStream<Path> images = Files.newDirectoryStream(teamDir, "*.img")) {
                    for (Path image : images) {
                        String name = image.getFileName().toString().replaceFirst("\\.img$", "");
                        Path volume = teamDir.resolve(name);
                        try {
                            if (Files.exists(teamDir.resolve(name + ".size"))) {
                                filesystems.mount(volume);
                            } else {
                                log.warn("removing volume {} of {}: its creation never finished", name, teamDir.getFileName());
                                filesystems.remove(volume);
                            }
                        } catch (RuntimeException e) {
                            log.warn("volume {} of {} cannot be mounted; containers that use it will not start: {}", name,
                                    teamDir.getFileName(), e.getMessage());
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read volumes in " + dir, e);
        }
    }

    /** Unmounts every volume; their images stay and are mounted again when a runtime opens. */
    void unmountAll() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir, 2)) {
            for (Path image : files.filter(f -> f.getFileName().toString().endsWith(".img")).toList()) {
                filesystems.unmount(image.resolveSibling(image.getFileName().toString().replaceFirst("\\.img$", "")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read volumes in " + dir, e);
        }
    }

    Path dir(long teamId, String name) {
        return teamDir(teamId).resolve(name);
    }

    private Path teamDir(long teamId) {
        return dir.resolve("team-" + teamId);
    }

    private VolumeInfo volume(long teamId, String name) {
        Path volume = dir(teamId, name);
        if (!Files.isDirectory(volume, LinkOption.NOFOLLOW_LINKS)) {
            throw RuntimeFailure.notFound("team " + teamId + " has no volume " + name + " on this node");
        }
        long size;
        try {
            size = Long.parseLong(Files.readString(volume.resolveSibling(name + ".size")).strip());
        } catch (NoSuchFileException e) {
            throw RuntimeFailure.notFound("team " + teamId + " has no volume " + name + " on this node");
        } catch (IOException | NumberFormatException e) {
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "cannot read volume " + name + ": " + e.getMessage(), e);
        }
        List<String> usedBy = containers.ofTeam(teamId)
                .filter(c -> c.spec.volumes().stream().anyMatch(v -> v.name().equals(name))).map(c -> c.spec.id()).sorted().toList();
        long used = FileTrees.usage(volume);
        return new VolumeInfo(teamId, name, size, used, used > size, usedBy);
    }

    private static long diskSize(Path dir) {
        try {
            return Files.getFileStore(dir).getTotalSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of the disk holding " + dir, e);
        }
    }
}
