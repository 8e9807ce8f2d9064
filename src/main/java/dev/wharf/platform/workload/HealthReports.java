package dev.wharf.platform.workload;

import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.Health;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * What nodes find of their containers' health, written into the rows: each status change a node
 * publishes, and on every reconciling pass whatever the row lags behind the node's {@code inspect}
 * (a missed event, the newest probes, a server that was down). A container that turns unhealthy
 * and whose health check says {@code onUnhealthy: restart} is restarted ({@link RestartSupervisor#unhealthy}).
 * Runs on the reconciler's thread.
 */
final class HealthReports {

    static final String RESTART = "restart";

    private final ContainerManagement management;
    private final RestartSupervisor restarts;
    private final JsonMapper json;
    /** the end of the newest probe written into each row, so that a pass writes a row only when the node probed again */
    private final Map<String, Instant> newestWritten = new ConcurrentHashMap<>();

    HealthReports(ContainerManagement management, RestartSupervisor restarts, JsonMapper json) {
        this.management = management;
        this.restarts = restarts;
        this.json = json;
    }

    /** A status change the node published. */
    void changed(String id, Health health) {
        record(id, health);
    }

    /** One container of a reconciling pass: its row against what the node reports now. */
    void compare(ContainerRepository.Placement row, ContainerInfo info) {
        Health health = info.health();
        if (!HealthColumns.sameStatus(row.healthStatus(), row.healthFailingStreak(), health)
                || !Objects.equals(newestWritten.get(row.id()), newest(health))) {
            record(row.id(), health);
        }
    }

    /** Forgets what was written of containers that are gone. */
    void retain(Collection<String> ids) {
        newestWritten.keySet().retainAll(ids);
    }

    private void record(String id, Health health) {
        AtomicReference<String> before = new AtomicReference<>();
        Container row;
        try {
            row = management.update(id, c -> {
                before.set(c.getHealthStatus());
                HealthColumns.write(c, health, json);
                if (health != null && health.status() == Health.Status.HEALTHY && c.getState() == Container.State.RUNNING
                        && c.getStateReason() != null && c.getStateReason().startsWith(RestartSupervisor.UNHEALTHY)) {
                    c.state(Container.State.RUNNING, null); // healthy again: why it was left unhealthy no longer holds
                }
            });
        } catch (WharfException gone) {
            return; // deleted meanwhile
        }
        Instant newest = newest(health);
        if (newest == null) {
            newestWritten.remove(id);
        } else {
            newestWritten.put(id, newest);
        }
        boolean turnedUnhealthy = health != null && health.status() == Health.Status.UNHEALTHY
                && !Health.Status.UNHEALTHY.value().equals(before.get());
        if (turnedUnhealthy) {
            ContainerManagement.StoredSpec spec = json.readValue(row.getSpec(), ContainerManagement.StoredSpec.class);
            if (spec.healthcheck() != null && RESTART.equals(spec.healthcheck().onUnhealthy())) {
                restarts.unhealthy(id, health, spec.stopTimeoutOrDefault());
            }
        }
    }

    private static Instant newest(Health health) {
        return health == null || health.log().isEmpty() ? null : health.log().get(health.log().size() - 1).end();
    }
}
