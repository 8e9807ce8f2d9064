package dev.wharf.runtime.snapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Root filesystems built from shared, read-only layers (containerd's snapshotter, reduced to
 * what Wharf needs).
 *
 * <h2>Lifecycle</h2>
 * <ol>
 * <li>{@link #commit} builds a <em>committed</em> layer: its content written once (per layer
 *     digest and id mapping, which the key names) into a temporary directory by a
 *     {@link LayerWriter}, then moved into place with an atomic rename. It is read-only from then
 *     on and shared by every container whose image has it. A failing writer leaves nothing
 *     behind. Committing an existing key is a no-op.</li>
 * <li>{@link #mountActive} gives one container its root: an overlay of committed layers (top
 *     first) with a private upper and work directory under the container's own directory.</li>
 * <li>{@link #removeActive} unmounts it and deletes the private directories.</li>
 * <li>{@link #remove} deletes a committed layer; the caller makes sure nothing uses it.</li>
 * </ol>
 * Layers are independent of each other (no parent chain): an image is the ordered list of its
 * layers' keys, so a layer shared by two images at different depths is still unpacked once.
 */
public interface Snapshotter {

    /** Writes a layer's files into an empty directory. */
    @FunctionalInterface
    interface LayerWriter {
        void write(Path dir) throws IOException;
    }

    boolean exists(String key);

    /** Commits the layer {@code key}, written by {@code writer}, unless it exists. */
    void commit(String key, LayerWriter writer);

    /** Mounts an overlay of {@code layers} (top first) at {@code target}, upper and work under {@code privateDir}. */
    void mountActive(List<String> layers, Path privateDir, Path target);

    /** Unmounts {@code target} (if mounted) and deletes the private directories. Safe to repeat. */
    void removeActive(Path privateDir, Path target);

    /** Deletes a committed layer. */
    void remove(String key);

    /** The keys of all committed layers. */
    Set<String> list();
}
