package dev.wharf.runtime.snapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Root filesystems built from shared, read-only layers (containerd's snapshotter, reduced to
 * what Wharf needs).
 *
 * <h2>Lifecycle</h2>
 * <ol>
 * <li>{@link #commit} builds a <em>committed</em> snapshot: a layer's content written once
 *     (for one id mapping) into a temporary directory by a {@link LayerWriter}, then moved into
 *     place with an atomic rename. It is read-only from then on and shared by every container
 *     that uses it. A failing writer leaves nothing behind. Committing an existing key is a no-op.</li>
 * <li>{@link #mountActive} gives one container its root: an overlay of the committed chain (the
 *     key and its parents, top first) with a private upper and work directory under the
 *     container's own directory.</li>
 * <li>{@link #removeActive} unmounts it and deletes the private directories.</li>
 * <li>{@link #remove} deletes a committed snapshot no container and no child uses.</li>
 * </ol>
 * The image store (Images issue) commits unpacked layers here; until then a host directory
 * is committed as a single layer.
 */
public interface Snapshotter {

    /** Writes a layer's files into an empty directory. */
    @FunctionalInterface
    interface LayerWriter {
        void write(Path dir) throws IOException;
    }

    boolean exists(String key);

    /** Commits {@code key} on top of {@code parent} ({@code null} for a base layer). */
    void commit(String key, String parent, LayerWriter writer);

    /** The chain from {@code key} down to its base, top first. */
    List<String> chain(String key);

    /** Mounts an overlay of {@code key}'s chain at {@code target}, upper and work under {@code privateDir}. */
    void mountActive(String key, Path privateDir, Path target);

    /** Unmounts {@code target} (if mounted) and deletes the private directories. Safe to repeat. */
    void removeActive(Path privateDir, Path target);

    /** Deletes a committed snapshot; refused (FAILED_PRECONDITION) while a child snapshot builds on it. */
    void remove(String key);
}
