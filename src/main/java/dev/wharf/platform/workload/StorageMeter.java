package dev.wharf.platform.workload;

import dev.wharf.platform.audit.AuditLog;
import dev.wharf.platform.node.NodeRegistry;
import dev.wharf.platform.quota.QuotaAdmission;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Measures what each container has written to its own layer, which counts against its team's
 * storage quota, and holds that quota: a container's layer has no size of its own (a volume
 * does), so when a measurement finds a team past its storage quota, the running containers whose
 * layers grew since the last measurement are killed, kept stopped (their restart policy does not
 * bring them back), and say why on their {@code reason}; each stop is in the audit log, with the
 * platform as its actor. What a container writes between two measurements
 * ({@code wharf.storage-interval}) is the most a team can go past its quota.
 */
@Component
class StorageMeter {

    private static final Logger log = LoggerFactory.getLogger(StorageMeter.class);
    /** the audit log's actor for what the platform does by itself */
    static final String ACTOR = "wharf";

    private final ContainerRepository containers;
    private final ContainerManagement management;
    private final NodeRegistry nodes;
    private final QuotaAdmission quotas;
    private final TeamManagement teams;
    private final AuditLog audit;

    StorageMeter(ContainerRepository containers, ContainerManagement management, NodeRegistry nodes, QuotaAdmission quotas,
            TeamManagement teams, AuditLog audit) {
        this.containers = containers;
        this.management = management;
        this.nodes = nodes;
        this.quotas = quotas;
        this.teams = teams;
        this.audit = audit;
    }

    private record Grown(ContainerRepository.Placement container, RuntimeService node) {
    }

    /** One pass over the nodes that are up: records each layer's size, then stops what pushed a team past its quota. */
    void measure() {
        Map<Long, List<Grown>> grown = new LinkedHashMap<>();
        nodes.up().forEach((name, node) -> {
            for (ContainerRepository.Placement container : containers.placedOnNode(name)) {
                long bytes;
                try {
                    bytes = node.writableBytes(container.id());
                } catch (RuntimeFailure e) {
                    continue; // gone meanwhile; the reconciler deals with it
                }
                if (bytes != container.writableBytes()) {
                    containers.recordWritableBytes(container.id(), bytes);
                }
                if (bytes > container.writableBytes() && container.state() == Container.State.RUNNING) {
                    grown.computeIfAbsent(container.teamId(), team -> new ArrayList<>()).add(new Grown(container, node));
                }
            }
        });
        grown.forEach((team, list) -> {
            try {
                enforce(team, list);
            } catch (RuntimeException e) { // one team's trouble (deleted meanwhile) never spares the others
                log.warn("could not hold team {} to its storage quota this time: {}", team, e.getMessage());
            }
        });
    }

    private void enforce(long teamId, List<Grown> grown) {
        QuotaAdmission.StorageUse storage = quotas.storage(teamId);
        if (!storage.over()) {
            return;
        }
        String reason = "stopped: team storage quota exceeded (" + storage.describe() + ")";
        for (Grown g : grown) {
            stop(g, reason);
        }
    }

    private void stop(Grown grown, String reason) {
        ContainerRepository.Placement container = grown.container();
        String team;
        try {
            team = teams.byId(container.teamId()).getName();
        } catch (WharfException gone) {
            return; // its team is being deleted, and the container with it
        }
        log.warn("container {} ({}) of team {} wrote past its team's storage quota: {}", container.name(), container.id(), team, reason);
        try {
            management.update(container.id(), row -> row.stopping(reason));
        } catch (WharfException gone) {
            return; // deleted meanwhile
        }
        try {
            grown.node().kill(container.id(), "KILL");
        } catch (RuntimeFailure e) {
            if (e.kind() != RuntimeFailure.Kind.FAILED_PRECONDITION && e.kind() != RuntimeFailure.Kind.NOT_FOUND) {
                log.warn("could not stop container {} past its team's storage quota: {}", container.id(), e.getMessage());
                return;
            }
            // it ended by itself meanwhile
        }
        audit.record(new AuditLog.Entry(ACTOR, "system", null, "STOP storage quota",
                "/api/v1/teams/" + team + "/containers/" + container.name(), team, null, AuditLog.SUCCESS, null, reason));
    }
}
