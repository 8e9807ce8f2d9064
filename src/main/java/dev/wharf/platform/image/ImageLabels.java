package dev.wharf.platform.image;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.wharf.platform.node.NodeRegistry;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The labels of a team's images, as their configs give them ({@code LABEL} in a Dockerfile), read from a node
 * that holds the image. An image's config never changes for its digest, so what a node answered is kept by
 * digest (at most {@value #CHARS_KEPT} characters of labels in all); an image that no node that is up holds
 * has no labels to show ({@code null}) until one is back.
 */
@Component
class ImageLabels {

    private static final long CHARS_KEPT = 16L << 20;

    private final NodeRegistry nodes;
    private final Cache<String, Map<String, String>> byDigest = Caffeine.newBuilder().executor(Runnable::run)
            .maximumWeight(CHARS_KEPT).weigher(ImageLabels::weight).build();

    ImageLabels(NodeRegistry nodes) {
        this.nodes = nodes;
    }

    /** The image's labels, sorted by key; null when no node that is up holds it for the team. */
    Map<String, String> of(TeamImage image) {
        Map<String, String> known = byDigest.getIfPresent(image.getDigest());
        if (known != null) {
            return known;
        }
        for (RuntimeService node : holders()) {
            try {
                Map<String, String> labels = node.image(image.getTeamId(), image.getDigest()).config().labels();
                byDigest.put(image.getDigest(), labels);
                return labels;
            } catch (RuntimeFailure e) {
                // not on this node (or it failed to answer): the next one may have it
            }
        }
        return null;
    }

    /** The node images are pulled and imported onto first (the server's own, even one that cannot run containers), then the others up. */
    private Set<RuntimeService> holders() {
        Set<RuntimeService> holders = new LinkedHashSet<>();
        try {
            holders.add(nodes.runtimeFor("read image labels"));
        } catch (WharfException none) {
            // no node at all; the list below is empty too
        }
        holders.addAll(nodes.up().values());
        return holders;
    }

    private static int weight(String digest, Map<String, String> labels) {
        long chars = digest.length();
        for (Map.Entry<String, String> label : labels.entrySet()) {
            chars += label.getKey().length() + label.getValue().length();
        }
        return (int) Math.min(Integer.MAX_VALUE, chars);
    }
}
