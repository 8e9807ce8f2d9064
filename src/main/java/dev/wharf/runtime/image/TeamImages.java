package dev.wharf.runtime.image;

import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.RuntimeFailure;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The images of the node as one team sees them: only those the team holds in {@link ImageGrants},
 * under the names the team gave them. Images and their blobs are stored once per node in the
 * {@link ImageStore}; a team gets an image only through {@link #add}, after it supplied or proved
 * every blob, and runs containers only from images it holds.
 *
 * <h2>Lifecycle</h2>
 * {@link #add} (after an import or a pull) → {@link #get}/{@link #layersFor} (inspect, create) →
 * {@link #release} (the team deletes it); the image itself leaves the node when no team holds it
 * and no container uses it, which the runtime decides with {@link #heldByAnyTeam}.
 */
public final class TeamImages {

    private final ImageStore store;
    private final ImageGrants grants;
    private final BlobSources sources;
    private final Clock clock;

    public TeamImages(ImageStore store, ImageGrants grants, BlobSources sources, Clock clock) {
        this.store = store;
        this.grants = grants;
        this.sources = sources;
        this.clock = clock;
    }

    /**
     * Records the image whose manifest is in the content store and gives it to {@code team}
     * (with its config and layers). The caller has made sure the team supplied every one of those
     * blobs with verified bytes, or that the team's registry credentials can read it.
     */
    public ImageInfo add(long team, String manifestDigest, String reference) {
        store.register(manifestDigest, reference);
        grants.grant(team, manifestDigest, reference, store.blobsOf(manifestDigest), clock.instant());
        return get(team, manifestDigest);
    }

    /**
     * {@link #add} for an image pulled from {@code repository} ({@code registry/name}), which
     * served every blob of it verified (or let the team read those it served before) except
     * {@code notFetched}, layers the team held already and the pull did not ask for.
     */
    public ImageInfo addPulled(long team, String manifestDigest, String reference, String repository, Set<String> notFetched) {
        ImageInfo info = add(team, manifestDigest, reference);
        Set<String> served = new HashSet<>(store.blobsOf(manifestDigest));
        served.removeAll(notFetched);
        sources.servedBy(repository, served);
        return info;
    }

    /** Whether {@code team} may use the stored blob {@code digest} without supplying it again. */
    public Predicate<String> blobsHeldBy(long team) {
        return digest -> grants.holdsBlob(team, digest);
    }

    /** Whether {@code repository} ({@code registry/name}) served the stored blob {@code digest} with verified bytes before. */
    public Predicate<String> blobsServedBy(String repository) {
        return digest -> sources.wasServedBy(digest, repository);
    }

    /** Forgets where blobs came from that {@code stored} says the node no longer has. */
    public void forgetSourcesUnless(Predicate<String> stored) {
        sources.retainOnly(stored);
    }

    public List<ImageInfo> list(long team) {
        return grants.images(team).keySet().stream().filter(this::stored).map(digest -> get(team, digest))
                .sorted(Comparator.comparing(ImageInfo::addedAt)).toList();
    }

    /** The image as {@code team} holds it; NOT_FOUND when the team does not (whether or not another team does). */
    public ImageInfo get(long team, String digest) {
        ImageGrants.Held held = grants.image(team, digest).filter(h -> stored(digest))
                .orElseThrow(() -> RuntimeFailure.notFound("image " + digest + " is not on this node"));
        ImageInfo image = store.get(digest);
        if (!store.blobsOf(digest).stream().allMatch(blobsHeldBy(team))) {
            throw RuntimeFailure.notFound("image " + digest + " is not on this node");
        }
        return new ImageInfo(image.digest(), held.references(), image.layers(), image.sizeBytes(), image.config(), held.addedAt());
    }

    /** The snapshot keys of the image unpacked for the team's id mapping (see {@link ImageStore#layersFor}); the team must hold it. */
    public List<String> layersFor(long team, String digest, IdMapping ids) {
        get(team, digest);
        return store.layersFor(digest, ids);
    }

    /**
     * Forgets that {@code team} holds the image (NOT_FOUND when it does not), with the grants of
     * its blobs that none of the team's other images needs.
     */
    public void release(long team, String digest) {
        get(team, digest);
        Set<String> blobs = new HashSet<>(store.blobsOf(digest));
        for (String other : grants.images(team).keySet()) {
            if (!other.equals(digest) && stored(other)) {
                blobs.removeAll(store.blobsOf(other));
            }
        }
        grants.release(team, digest, blobs);
    }

    public boolean heldByAnyTeam(String digest) {
        return grants.heldByAnyTeam(digest);
    }

    private boolean stored(String digest) {
        try {
            store.get(digest);
            return true;
        } catch (RuntimeFailure e) {
            return false;
        }
    }
}
