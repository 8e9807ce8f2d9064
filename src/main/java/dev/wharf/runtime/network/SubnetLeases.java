package dev.wharf.runtime.network;

import dev.wharf.runtime.api.RuntimeFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subnet each team holds on this node: the first {@code /teamPrefix} of the pool that overlaps
 * no other team's, given on first use and kept in {@code team-<id>.subnet} until the team is
 * released, when the next new team may get it.
 */
final class SubnetLeases {

    private static final Logger log = LoggerFactory.getLogger(SubnetLeases.class);

    private final Path dir;
    private final Ipv4Subnet pool;
    private final int teamPrefix;
    private final NetworkNames names;
    private final Map<Long, Ipv4Subnet> subnets = new ConcurrentHashMap<>();

    /** @param dir where the lease files are ({@code <network dir>/teams}) */
    SubnetLeases(Path dir, Ipv4Subnet pool, int teamPrefix, NetworkNames names) {
        this.dir = dir;
        this.pool = pool;
        this.teamPrefix = teamPrefix;
        this.names = names;
    }

    /** The first subnet of {@code prefix} in {@code pool} that overlaps none of {@code taken}. */
    static Optional<Ipv4Subnet> firstFree(Ipv4Subnet pool, int prefix, Collection<Ipv4Subnet> taken) {
        int count = pool.count(prefix);
        for (int i = 0; i < count; i++) {
            Ipv4Subnet candidate = pool.child(prefix, i);
            if (taken.stream().noneMatch(candidate::overlaps)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Reads the subnets given to teams before; call once at start. */
    void open() {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().matches("team-\\d+\\.subnet")).forEach(f -> {
                    String name = f.getFileName().toString();
                    long team = Long.parseLong(name.substring(5, name.length() - 7));
                    subnets.put(team, Ipv4Subnet.parse(NetworkFiles.read(f).strip()));
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the team networks in " + dir.getParent(), e);
        }
    }

    /** The team's subnet, or null when it has none yet. */
    Ipv4Subnet get(long teamId) {
        return subnets.get(teamId);
    }

    /** The teams holding a subnet. */
    Set<Long> teams() {
        return subnets.keySet();
    }

    /** The team's subnet, given now (and written down) if it has none; UNAVAILABLE when the pool is full. */
    synchronized Ipv4Subnet lease(long teamId) {
        Ipv4Subnet known = subnets.get(teamId);
        if (known != null) {
            return known;
        }
        Ipv4Subnet free = firstFree(pool, teamPrefix, subnets.values()).orElseThrow(() -> new RuntimeFailure(
                RuntimeFailure.Kind.UNAVAILABLE, "the network pool " + pool + " has no free /" + teamPrefix
                        + " subnet left for team " + teamId + " (wharf.runtime.network.pool)"));
        NetworkFiles.write(file(teamId), free + "\n");
        subnets.put(teamId, free);
        log.info("team {} has the subnet {} on bridge {}", teamId, free, names.bridge(teamId));
        return free;
    }

    /** Gives the team's subnet back to the pool. */
    synchronized void release(long teamId) throws IOException {
        Files.deleteIfExists(file(teamId));
        subnets.remove(teamId);
    }

    private Path file(long teamId) {
        return dir.resolve("team-" + teamId + ".subnet");
    }
}
