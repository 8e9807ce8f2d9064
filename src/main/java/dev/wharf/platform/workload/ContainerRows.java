package dev.wharf.platform.workload;

import dev.wharf.platform.node.NodeRegistry;
import dev.wharf.platform.team.Team;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.RuntimeService;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.springframework.orm.ObjectOptimisticLockingFailureException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes containers' rows: what a request or a node reports, applied to the fresh row in its own
 * transaction, again when another change came in between. Also knows which starts a request is
 * recording itself, so the reconciler leaves those start events alone.
 */
@Component
class ContainerRows {

    private final ContainerRepository containers;
    private final NodeRegistry nodes;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final JsonMapper json;
    /** containers a request is starting and will write the outcome of itself (the reconciler leaves their start events alone) */
    private final Set<String> observing = ConcurrentHashMap.newKeySet();

    ContainerRows(ContainerRepository containers, NodeRegistry nodes, TransactionTemplate tx, Clock clock, JsonMapper json) {
        this.containers = containers;
        this.nodes = nodes;
        this.tx = tx;
        this.clock = clock;
        this.json = json;
    }

    /** The team's container of that name; 404 otherwise. */
    Container find(Team team, String name) {
        return containers.findByTeamIdAndName(team.getId(), name)
                .orElseThrow(() -> WharfException.notFound("team \"" + team.getName() + "\" has no container \"" + name + "\""));
    }

    /** A request starts the container and records the start itself until {@link #observed}. */
    void observing(String id) {
        observing.add(id);
    }

    void observed(String id) {
        observing.remove(id);
    }

    /** Whether a request is starting the container and records the start itself. */
    boolean isObserving(String id) {
        return observing.contains(id);
    }

    /**
     * Writes what the node reports into the row (the same facts the event stream brings, so the
     * two may arrive in any order), its health included. A pending restart is the reconciler's to finish.
     */
    Container observe(String id, ContainerInfo info, Consumer<Container> also) {
        return update(id, row -> {
            also.accept(row);
            if (info.state() == ContainerState.RUNNING && row.exitedSince(info.startedAt())) {
                // the exit of this very run came through the event stream while the request inspected it: the row
                // keeps the exit (a short-lived process ends before its start is written); never running again
                row.ranFrom(info.startedAt());
                return;
            }
            row.address(info.ipAddress());
            HealthColumns.write(row, info.health(), json);
            if (row.getState() == Container.State.RESTARTING) {
                return;
            }
            if (info.state() == ContainerState.RUNNING) {
                row.started(info.startedAt());
            } else if (info.state() == ContainerState.EXITED) {
                if (info.startedAt() != null) {
                    row.started(info.startedAt());
                }
                row.exited(info.exitCode(), info.oomKilled(), info.finishedAt());
            }
        });
    }

    /**
     * Loads the row, changes it and saves it in one transaction. Requests and the reconciler's
     * events change rows concurrently: when another change came in between (optimistic lock),
     * the change is applied again to the fresh row.
     */
    Container update(String id, Consumer<Container> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return tx.execute(status -> {
                    Container row = containers.findById(id).orElseThrow(() -> WharfException.notFound("container " + id + " is gone"));
                    change.accept(row);
                    return containers.saveAndFlush(row);
                });
            } catch (ObjectOptimisticLockingFailureException concurrent) {
                if (attempt == 5) {
                    throw concurrent;
                }
            }
        }
    }

    /** The runtime of the node the container is placed on (503 when that node is down). */
    RuntimeService runtime(Container container) {
        return nodes.runtime(container.getNode());
    }

    Instant now() {
        return clock.instant();
    }
}
