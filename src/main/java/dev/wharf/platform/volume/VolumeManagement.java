package dev.wharf.platform.volume;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.node.NodeRegistry;
import dev.wharf.platform.quota.QuotaAdmission;
import dev.wharf.platform.team.Team;
import dev.wharf.platform.team.TeamDeletionGuard;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.Labels;
import dev.wharf.platform.web.Names;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.VolumeInfo;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A team's volumes. Creating one is admitted against the team's storage quota (its declared
 * size counts, like a container's declared limits) and makes the volume on the node in the
 * same all-or-nothing way containers are made: a filesystem of that size, so writes past it fail
 * in the container. Deleting one is refused while a container mounts it.
 */
@Service
public class VolumeManagement implements TeamDeletionGuard {

    private final VolumeRepository volumes;
    private final TeamManagement teams;
    private final QuotaAdmission quotas;
    private final NodeRegistry nodes;
    private final TransactionTemplate tx;
    private final Clock clock;

    VolumeManagement(VolumeRepository volumes, TeamManagement teams, QuotaAdmission quotas, NodeRegistry nodes,
            TransactionTemplate tx, Clock clock) {
        this.volumes = volumes;
        this.teams = teams;
        this.quotas = quotas;
        this.nodes = nodes;
        this.tx = tx;
        this.clock = clock;
    }

    /** A volume as the API shows it: declared size, the space its files use now, and its labels. */
    public record VolumeView(String name, long size, Long used, boolean overSize, List<String> usedBy, java.time.Instant createdAt,
            String node, Map<String, String> labels) {
    }

    public List<VolumeView> list(Caller caller, String teamName) {
        Team team = teams.require(caller, teamName, TeamRole.VIEWER).team();
        Map<String, VolumeInfo> measured = measured(team.getId());
        return volumes.findByTeamIdOrderByNameAsc(team.getId()).stream().map(v -> view(v, measured.get(v.getName()))).toList();
    }

    public VolumeView get(Caller caller, String teamName, String name) {
        Team team = teams.require(caller, teamName, TeamRole.VIEWER).team();
        return view(find(team, name), measured(team.getId()).get(name));
    }

    /** A new volume with its labels ({@link Labels#check}); the labels never change afterwards. */
    public VolumeView create(Caller caller, String teamName, String name, Long sizeBytes, Map<String, String> labels) {
        Team team = teams.require(caller, teamName, TeamRole.MEMBER).team();
        Names.requireDnsLabel("name", name);
        if (sizeBytes == null || sizeBytes < 1) {
            throw WharfException.invalidField("size", "size is required, as bytes or like \"1Gi\"");
        }
        if (sizeBytes < VolumeInfo.MIN_SIZE_BYTES) {
            throw WharfException.invalidField("size", "a volume is a filesystem of its own and needs at least 256Ki (262144 bytes); got "
                    + sizeBytes + " bytes");
        }
        Map<String, String> checked = Labels.check("labels", labels);
        Volume volume = tx.execute(status -> {
            if (volumes.findByTeamIdAndName(team.getId(), name).isPresent()) {
                throw WharfException.alreadyExists("team \"" + team.getName() + "\" already has a volume \"" + name + "\"");
            }
            quotas.admitStorage(team, sizeBytes);
            String node = nodes.place(team.getId(), null, null, null);
            return volumes.save(new Volume(team.getId(), name, sizeBytes, node, caller.name(), clock.instant(), checked));
        });
        try {
            RuntimeService node = nodes.runtime(volume.getNode());
            node.applyTeamLimits(quotas.kernelLimits(team.getId()));
            return view(volume, node.createVolume(team.getId(), name, sizeBytes));
        } catch (RuntimeException e) {
            tx.executeWithoutResult(status -> volumes.findByTeamIdAndName(team.getId(), name).ifPresent(volumes::delete));
            throw e;
        }
    }

    public void delete(Caller caller, String teamName, String name) {
        Team team = teams.require(caller, teamName, TeamRole.MEMBER).team();
        Volume volume = find(team, name);
        if (nodes.isJoined(volume.getNode())) { // a removed node's volumes went with it
            try {
                nodes.runtime(volume.getNode()).removeVolume(team.getId(), name);
            } catch (RuntimeFailure e) {
                if (e.kind() != RuntimeFailure.Kind.NOT_FOUND) {
                    throw e;
                }
            }
        }
        tx.executeWithoutResult(status -> volumes.delete(volumes.findByTeamIdAndName(team.getId(), volume.getName()).orElseThrow()));
    }

    /**
     * The node holding every volume a container wants to mount ({@code null} for none): the container
     * must run there. 404 naming the first volume the team does not have; 409 when they are on different nodes.
     */
    public String nodeOf(Team team, List<String> names) {
        return dev.wharf.platform.node.Placement.volumesNode(names, name -> find(team, name).getNode());
    }

    @Override
    public void checkDeletable(Team team) {
        long count = volumes.countByTeamId(team.getId());
        if (count > 0) {
            throw WharfException.conflict("team \"" + team.getName() + "\" still has " + count + " volume(s); delete them first");
        }
    }

    private Volume find(Team team, String name) {
        return volumes.findByTeamIdAndName(team.getId(), name)
                .orElseThrow(() -> WharfException.notFound("team \"" + team.getName() + "\" has no volume \"" + name + "\""));
    }

    /** The team's volumes as the nodes that are up measure them now (a down node's volumes show no usage). */
    private Map<String, VolumeInfo> measured(long teamId) {
        Map<String, VolumeInfo> measured = new java.util.HashMap<>();
        nodes.up().forEach((name, node) -> {
            try {
                node.volumes(teamId).forEach(v -> measured.put(v.name(), v));
            } catch (RuntimeFailure e) {
                // that node's numbers are missing this time
            }
        });
        return measured;
    }

    private static VolumeView view(Volume volume, VolumeInfo measured) {
        return new VolumeView(volume.getName(), volume.getSizeBytes(), measured == null ? null : measured.usedBytes(),
                measured != null && measured.overSize(), measured == null ? List.of() : measured.usedBy(), volume.getCreatedAt(), volume.getNode(),
                volume.getLabels());
    }
}
