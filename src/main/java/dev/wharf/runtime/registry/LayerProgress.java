package dev.wharf.runtime.registry;

/**
 * Progress of a pull, one layer at a time. Layers download in parallel, so calls come from several
 * threads at once. A layer reports as its bytes arrive (about every 64 KiB) and once more at
 * completion with {@code bytesDone == bytesTotal}; a layer already in the store reports only that
 * last call. A retried download starts again from zero.
 */
@FunctionalInterface
public interface LayerProgress {

    /** Ignores progress. */
    LayerProgress NONE = (digest, bytesDone, bytesTotal) -> {
    };

    void layer(String digest, long bytesDone, long bytesTotal);
}
