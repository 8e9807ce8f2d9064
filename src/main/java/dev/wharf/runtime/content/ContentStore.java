package dev.wharf.runtime.content;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Set;

/**
 * Immutable blobs (image manifests, configs, layers) addressed by their sha256 digest
 * ({@code "sha256:<64 hex>"}; any other form is INVALID_ARGUMENT), after containerd's content store.
 *
 * <h2>Lifecycle</h2>
 * <ol>
 * <li>{@link #write} streams a blob into a private ingest file, checks its digest and size
 *     against the ones the caller expects, and only then publishes it under its digest with an
 *     atomic rename. A blob that does not match (INVALID_ARGUMENT, naming expected and actual)
 *     or a failing stream leaves nothing behind, so a blob that {@link #has} reports is always
 *     complete and verified. Writers of the same blob may run at the same time; all succeed and
 *     the store holds one copy.</li>
 * <li>Once written a blob never changes: {@link #path} may be read by any number of readers.</li>
 * <li>{@link #delete} removes a blob. The store keeps no references: deciding that nothing
 *     needs a blob any more (garbage collection) is its caller's job.</li>
 * </ol>
 * Ingest files left by a crash are removed when a store opens. Implementations are thread-safe.
 */
public interface ContentStore {

    boolean has(String digest);

    /** The file holding the blob, to read only; NOT_FOUND if the store does not have it. */
    Path path(String digest);

    /** The blob's size in bytes; NOT_FOUND if the store does not have it. */
    long size(String digest);

    /**
     * Stores the content of {@code in} as the blob {@code expectedDigest} of {@code expectedSize}
     * bytes and returns the digest. Reads at most one byte more than expected. The bytes are
     * verified even when the blob is stored already, so a caller that writes a blob has always
     * supplied its real content (a store never vouches for bytes the caller did not give).
     * Does not close {@code in}.
     */
    String write(String expectedDigest, long expectedSize, InputStream in);

    /** Stores {@code data} and returns its digest. */
    String writeBytes(byte[] data);

    /** Removes the blob if present. */
    void delete(String digest);

    /** The digests of every blob in the store. */
    Set<String> list();
}
