package dev.wharf.runtime.local;

import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.cgroup.CgroupManager;
import dev.wharf.runtime.network.TeamNetworks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The teams this node knows and their limits: in the team's cgroup, on its network (outbound
 * access), and in {@code teams/team-<id>.limits} ({@code "<cpus> <memoryBytes> <pids> <outbound>"},
 * {@code null} for unlimited), from which a restarted node puts them back in the kernel.
 */
final class KnownTeams {

    private final Path dir;
    private final CgroupManager cgroups;
    private final TeamNetworks networks;
    private final Map<Long, TeamLimits> teams = new ConcurrentHashMap<>();

    KnownTeams(Path dir, CgroupManager cgroups, TeamNetworks networks) {
        this.dir = dir;
        this.cgroups = cgroups;
        this.networks = networks;
    }

    /** Refuses work for a team whose limits this node has not been given. */
    void requireKnown(long teamId) {
        if (!teams.containsKey(teamId)) {
            throw RuntimeFailure.notFound("team " + teamId + " is not known on this node: apply its limits first");
        }
    }

    void apply(TeamLimits limits) {
        TeamLimits known = teams.get(limits.teamId());
        if (limits.equals(known)) {
            return; // already in the kernel and on disk; a create asks every time
        }
        Resources r = limits.resources();
        if (known == null || !r.equals(known.resources())) {
            cgroups.applyTeamLimits(limits.teamId(), r);
        }
        if (known == null || limits.outbound() != known.outbound()) {
            networks.setOutbound(limits.teamId(), limits.outbound());
        }
        PrivateTrees.writeFile(file(limits.teamId()), PrivateTrees.PRIVATE_FILE,
                r.cpus() + " " + r.memoryBytes() + " " + r.pids() + " " + limits.outbound() + "\n");
        teams.put(limits.teamId(), limits);
    }

    /** Forgets a team's limits; its cgroup and network are the caller's to remove. */
    void forget(long teamId) {
        try {
            Files.deleteIfExists(file(teamId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot forget team " + teamId, e);
        }
        teams.remove(teamId);
    }

    /** Reads the limits files and puts each team's limits back in the kernel (cgroups do not survive a reboot; the files do). */
    void load() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "team-*.limits")) {
            for (Path file : files) {
                long teamId = Long.parseLong(file.getFileName().toString().replaceAll("\\D", ""));
                String[] parts = Files.readString(file).strip().split(" ");
                Resources limits = new Resources(parseOrNull(parts[0], Double::valueOf), parseOrNull(parts[1], Long::valueOf),
                        parseOrNull(parts[2], Long::valueOf));
                cgroups.applyTeamLimits(teamId, limits);
                teams.put(teamId, new TeamLimits(teamId, limits, parts.length < 4 || Boolean.parseBoolean(parts[3])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read team limits in " + dir, e);
        }
    }

    private Path file(long teamId) {
        return dir.resolve("team-" + teamId + ".limits");
    }

    private static <T> T parseOrNull(String text, Function<String, T> parse) {
        return text.equals("null") ? null : parse.apply(text);
    }
}
