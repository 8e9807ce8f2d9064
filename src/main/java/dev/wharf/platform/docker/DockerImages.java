package dev.wharf.platform.docker;

import dev.wharf.platform.image.ImageCatalogue;
import dev.wharf.platform.image.TeamImage;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.ImageReference;
import dev.wharf.runtime.api.RuntimeFailure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * A team's images as Docker sees them: one image per digest (Docker's image id is {@code sha256:} and
 * Wharf's manifest digest), with the team's names for it as its tags ({@code busybox:1} for
 * {@code docker.io/library/busybox:1}). {@link #find} resolves what a Docker client names an image by.
 */
@Component
class DockerImages {

    private static final Pattern ID = Pattern.compile("(sha256:)?[0-9a-f]{1,64}");

    private final ImageCatalogue catalogue;

    DockerImages(ImageCatalogue catalogue) {
        this.catalogue = catalogue;
    }

    /** One image of the team: its digest and every catalogue entry (name) the team has for it. */
    record Image(String digest, List<TeamImage> entries) {

        List<String> repoTags() {
            return entries.stream().map(TeamImage::getReference).filter(r -> !r.startsWith("sha256:")).map(DockerImages::familiar).toList();
        }

        List<String> repoDigests() {
            return entries.stream().map(TeamImage::getReference).filter(r -> !r.startsWith("sha256:"))
                    .map(r -> familiar(ImageReference.parse(r).registry() + "/" + ImageReference.parse(r).repository()) + "@" + digest)
                    .distinct().toList();
        }

        long size() {
            return entries.get(0).getSizeBytes();
        }

        java.time.Instant created() {
            return entries.stream().map(TeamImage::getAddedAt).min(java.util.Comparator.naturalOrder()).orElseThrow();
        }
    }

    /** The team's images, oldest first. */
    List<Image> list(DockerCaller caller) {
        Map<String, List<TeamImage>> byDigest = new LinkedHashMap<>();
        for (TeamImage entry : catalogue.list(caller.caller(), caller.team())) {
            byDigest.computeIfAbsent(entry.getDigest(), d -> new ArrayList<>()).add(entry);
        }
        return byDigest.entrySet().stream().map(e -> new Image(e.getKey(), List.copyOf(e.getValue())))
                .sorted(java.util.Comparator.comparing(Image::created)).toList();
    }

    /** What {@link #find} found: the image, and the entry when the client named it by one of its names. */
    record Found(Image image, TeamImage byName) {
    }

    /**
     * The team's image that {@code reference} names: a name ({@code busybox}, {@code busybox:1}, a full
     * reference) first, as Docker looks, then an id or a unique prefix of one ({@code sha256:…} or hex).
     *
     * @throws WharfException 404 "No such image: …", 400 for an id prefix that several images share
     */
    Found find(DockerCaller caller, String reference) {
        List<Image> images = list(caller);
        Optional<String> canonical = canonical(reference);
        if (canonical.isPresent()) {
            for (Image image : images) {
                for (TeamImage entry : image.entries()) {
                    if (entry.getReference().equals(canonical.get())) {
                        return new Found(image, entry);
                    }
                }
            }
        }
        if (ID.matcher(reference).matches()) {
            String prefix = reference.startsWith("sha256:") ? reference : "sha256:" + reference;
            List<Image> matching = images.stream().filter(i -> i.digest().startsWith(prefix)).toList();
            if (matching.size() == 1) {
                return new Found(matching.get(0), null);
            }
            if (matching.size() > 1) {
                throw WharfException.invalid("multiple IDs found with provided prefix: " + reference);
            }
        }
        throw WharfException.notFound("No such image: " + reference);
    }

    /** The canonical form of a name ({@code docker.io/library/busybox:latest}), empty when it is none. */
    static Optional<String> canonical(String reference) {
        try {
            return Optional.of(ImageReference.parse(reference).toString());
        } catch (RuntimeFailure notAName) {
            return Optional.empty();
        }
    }

    /** A name as Docker prints it: without {@code docker.io/library/} or {@code docker.io/}. */
    static String familiar(String reference) {
        String hub = ImageReference.DOCKER_HUB + "/";
        if (reference.startsWith(hub + "library/")) {
            return reference.substring(hub.length() + "library/".length());
        }
        return reference.startsWith(hub) ? reference.substring(hub.length()) : reference;
    }
}
