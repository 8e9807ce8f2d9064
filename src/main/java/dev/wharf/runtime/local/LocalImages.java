package dev.wharf.runtime.local;

import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.ImageReference;
import dev.wharf.runtime.api.PullProgress;
import dev.wharf.runtime.api.RegistryCredentials;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.content.ContentStore;
import dev.wharf.runtime.image.ImageArchives;
import dev.wharf.runtime.image.ImageStore;
import dev.wharf.runtime.image.TeamImages;
import dev.wharf.runtime.registry.RegistryLogin;
import dev.wharf.runtime.registry.Platform;
import dev.wharf.runtime.registry.PulledImage;
import dev.wharf.runtime.registry.RegistryClient;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's images as its teams see them: pulled from registries or imported from archives into
 * the content store and the image store, held per team ({@link TeamImages}), and deleted with
 * their content once no team holds them and no container uses them.
 */
final class LocalImages {

    private static final Logger log = LoggerFactory.getLogger(LocalImages.class);

    private final ContentStore content;
    private final RegistryClient registries;
    private final ImageStore store;
    private final TeamImages teams;
    private final long maxImageBytes;
    private final ContainerStore containers;
    /** where an imported archive is unpacked for a moment */
    private final Path workDir;

    LocalImages(ContentStore content, RegistryClient registries, ImageStore store, TeamImages teams, long maxImageBytes,
            ContainerStore containers, Path workDir) {
        this.content = content;
        this.registries = registries;
        this.store = store;
        this.teams = teams;
        this.maxImageBytes = maxImageBytes;
        this.containers = containers;
        this.workDir = workDir;
    }

    ImageInfo pull(long teamId, String reference, Function<String, RegistryCredentials> credentials,
            Consumer<PullProgress> progress) {
        ImageReference ref = ImageReference.parse(reference);
        RegistryCredentials given = credentials == null ? null : credentials.apply(ref.registry());
        RegistryLogin login = given == null ? null : new RegistryLogin(given.username(), given.password());
        String repository = ref.registry() + "/" + ref.repository();
        Set<String> held = ConcurrentHashMap.newKeySet(); // layers the team holds: not fetched, so not vouched for by this repository
        Predicate<String> holds = teams.blobsHeldBy(teamId);
        Predicate<String> heldNow = digest -> {
            if (!holds.test(digest)) {
                return false;
            }
            held.add(digest);
            return true;
        };
        PulledImage pulled = registries.pull(ref, Platform.host(), login, content, heldNow, teams.blobsServedBy(repository),
                (layer, done, total) -> progress.accept(new PullProgress(ref.toString(), layer, done, total)));
        ImageInfo info = teams.addPulled(teamId, pulled.manifestDigest(), ref.toString(), repository, held);
        log.info("pulled {} as {} for team {}", ref, info.digest(), teamId);
        return info;
    }

    ImageInfo importArchive(long teamId, InputStream archive) {
        List<ImageArchives.Imported> imported = ImageArchives.importArchive(archive, content, workDir, maxImageBytes);
        ImageInfo first = null;
        for (ImageArchives.Imported image : imported) {
            ImageInfo info = teams.add(teamId, image.manifestDigest(), image.reference());
            first = first == null ? info : first;
        }
        return first;
    }

    List<ImageInfo> list(long teamId) {
        return teams.list(teamId);
    }

    ImageInfo get(long teamId, String digest) {
        return teams.get(teamId, digest);
    }

    /** The team lets go of an image no container of its uses; the node deletes it when no team holds it any more. */
    void remove(long teamId, String digest) {
        synchronized (containers.changeLock()) {
            teams.get(teamId, digest);
            List<String> users = containers.ofTeam(teamId).filter(c -> usesImage(c, digest)).map(c -> c.spec.name()).sorted().toList();
            if (!users.isEmpty()) {
                throw RuntimeFailure.precondition("image " + digest + " is used by " + users.size() + " container(s): "
                        + String.join(", ", users));
            }
            teams.release(teamId, digest);
            removeIfUnused(digest);
        }
    }

    /** After a container is removed: its team may have let go of its image while the container still used it. */
    void containerRemoved(Rootfs rootfs) {
        if (rootfs instanceof Rootfs.Image image) {
            synchronized (containers.changeLock()) {
                removeIfUnused(image.digest());
            }
        }
    }

    private static boolean usesImage(ContainerRecord record, String digest) {
        return record.spec.rootfs() instanceof Rootfs.Image image && image.digest().equals(digest);
    }

    /** Deletes an image no team holds and no container uses any more, with its content; callers hold the change lock. */
    private void removeIfUnused(String digest) {
        boolean stored = store.list().stream().anyMatch(i -> i.digest().equals(digest));
        if (stored && !teams.heldByAnyTeam(digest) && containers.all().stream().noneMatch(c -> usesImage(c, digest))) {
            store.remove(digest);
            teams.forgetSourcesUnless(content::has);
        }
    }
}
