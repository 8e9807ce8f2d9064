package dev.wharf.runtime.image;

import dev.wharf.runtime.fs.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where pulls found each stored blob: digest → the {@code registry/repository} names that served it
 * with bytes verified against that digest. Asking a registry whether a team may read a stored blob
 * proves something only when that registry served those very bytes under that digest before; any
 * other registry (one the team runs itself, say) must hand the bytes over. Kept in one JSON file,
 * replaced atomically on every change. Thread-safe.
 */
public final class BlobSources {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path file;
    private final Map<String, Set<String>> sources = new HashMap<>();

    public BlobSources(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.getParent());
            if (Files.exists(file)) {
                for (Map.Entry<String, JsonNode> entry : JSON.readTree(Files.readAllBytes(file)).properties()) {
                    Set<String> repositories = new TreeSet<>();
                    entry.getValue().forEach(r -> repositories.add(r.asString()));
                    sources.put(entry.getKey(), repositories);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Records that {@code repository} ({@code registry/name}) served {@code blobs}, each verified against its digest. */
    public synchronized void servedBy(String repository, Collection<String> blobs) {
        boolean changed = false;
        for (String blob : blobs) {
            changed |= sources.computeIfAbsent(blob, b -> new TreeSet<>()).add(repository);
        }
        if (changed) {
            save();
        }
    }

    /** Whether {@code repository} served {@code blob} with verified bytes before. */
    public synchronized boolean wasServedBy(String blob, String repository) {
        return sources.getOrDefault(blob, Set.of()).contains(repository);
    }

    /** Forgets where the blobs that {@code stored} refuses came from (the node no longer has them). */
    public synchronized void retainOnly(Predicate<String> stored) {
        if (sources.keySet().removeIf(stored.negate())) {
            save();
        }
    }

    private void save() {
        try {
            AtomicFiles.write(file, JSON.writeValueAsBytes(new TreeMap<>(sources)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record where blobs came from in " + file, e);
        }
    }
}
