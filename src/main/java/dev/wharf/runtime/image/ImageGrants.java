package dev.wharf.runtime.image;

import dev.wharf.runtime.fs.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.json.JsonMapper;

/**
 * Which images and blobs each team may use on this node. The content store keeps one copy of a
 * blob for every team, so holding its digest proves nothing: a team reaches a blob only after it
 * supplied the bytes itself (an import, or a pull that downloaded and verified them) or its own
 * registry credentials could read it (a pull that found the blob here already). This records
 * those grants, one file per team ({@code <dir>/<team>.json}: the blobs, and the images with the
 * names the team gave them), replaced atomically on every change. Thread-safe.
 */
public final class ImageGrants {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** An image a team holds: the names it gave it (oldest first) and when it first got it. */
    public record Held(List<String> references, Instant addedAt) {
        public Held {
            references = List.copyOf(references);
        }
    }

    /** The file of one team, as Jackson binds it. */
    record TeamFile(List<String> blobs, Map<String, HeldFile> images) {
    }

    record HeldFile(List<String> references, String addedAt) {
    }

    private record Team(Set<String> blobs, Map<String, Held> images) {
    }

    private final Path dir;
    private final Map<Long, Team> teams = new HashMap<>();

    public ImageGrants(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (name.matches("[0-9]+\\.json")) {
                        teams.put(Long.parseLong(name.substring(0, name.length() - 5)), read(file));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the image grants in " + dir, e);
        }
    }

    /** Lets {@code team} use the image {@code image} (under {@code reference}, if given) and the {@code blobs} it is made of. */
    public synchronized void grant(long team, String image, String reference, Collection<String> blobs, Instant now) {
        Team current = team(team);
        Set<String> newBlobs = new TreeSet<>(current.blobs());
        newBlobs.addAll(blobs);
        Map<String, Held> newImages = new LinkedHashMap<>(current.images());
        Held held = newImages.get(image);
        Set<String> references = new LinkedHashSet<>(held == null ? List.of() : held.references());
        if (reference != null) {
            references.remove(reference);
            references.add(reference); // the newest name last
        }
        newImages.put(image, new Held(List.copyOf(references), held == null ? now : held.addedAt()));
        save(team, new Team(newBlobs, newImages));
    }

    /** Forgets that {@code team} holds {@code image}, and its grants of {@code blobs}. */
    public synchronized void release(long team, String image, Collection<String> blobs) {
        Team current = team(team);
        Set<String> newBlobs = new TreeSet<>(current.blobs());
        newBlobs.removeAll(blobs);
        Map<String, Held> newImages = new LinkedHashMap<>(current.images());
        newImages.remove(image);
        save(team, new Team(newBlobs, newImages));
    }

    public synchronized Optional<Held> image(long team, String image) {
        return Optional.ofNullable(team(team).images().get(image));
    }

    /** The images {@code team} holds, by digest. */
    public synchronized Map<String, Held> images(long team) {
        return Map.copyOf(team(team).images());
    }

    public synchronized boolean holdsBlob(long team, String blob) {
        return team(team).blobs().contains(blob);
    }

    /** Whether any team holds {@code image}. */
    public synchronized boolean heldByAnyTeam(String image) {
        return teams.values().stream().anyMatch(t -> t.images().containsKey(image));
    }

    private Team team(long team) {
        return teams.getOrDefault(team, new Team(Set.of(), Map.of()));
    }

    private void save(long team, Team grants) {
        Map<String, HeldFile> images = new LinkedHashMap<>();
        grants.images().forEach((digest, held) -> images.put(digest, new HeldFile(held.references(), held.addedAt().toString())));
        Path file = dir.resolve(team + ".json");
        try {
            if (grants.images().isEmpty() && grants.blobs().isEmpty()) {
                Files.deleteIfExists(file);
            } else {
                AtomicFiles.write(file, JSON.writeValueAsBytes(new TeamFile(List.copyOf(grants.blobs()), images)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the image grants of team " + team, e);
        }
        teams.put(team, new Team(Set.copyOf(grants.blobs()), Map.copyOf(grants.images())));
    }

    private static Team read(Path file) throws IOException {
        TeamFile stored = JSON.readValue(Files.readAllBytes(file), TeamFile.class);
        Map<String, Held> images = new LinkedHashMap<>();
        if (stored.images() != null) {
            stored.images().forEach((digest, held) -> images.put(digest,
                    new Held(held.references() == null ? List.of() : held.references(), Instant.parse(held.addedAt()))));
        }
        return new Team(Set.copyOf(stored.blobs() == null ? List.of() : stored.blobs()), images);
    }
}
