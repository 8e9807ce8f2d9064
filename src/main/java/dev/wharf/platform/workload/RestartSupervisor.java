package dev.wharf.platform.workload;

import dev.wharf.platform.audit.AuditLog;
import dev.wharf.platform.node.NodeRegistry;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.Health;
import dev.wharf.runtime.api.RuntimeFailure;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records containers' exits and applies their restart policy ({@link RestartPolicy}): a container
 * that restarts is {@code restarting} with the reason and the delay, and is started again after the
 * backoff on the reconciler's thread. An exit that comes while a restart is pending is handled once
 * that restart is done. A container found unhealthy whose health check asks for it is stopped and
 * restarted the same way ({@link #unhealthy}).
 */
final class RestartSupervisor {

    private static final Logger log = LoggerFactory.getLogger(RestartSupervisor.class);
    /** how the reason of a container restarted, or left running, for its health begins */
    static final String UNHEALTHY = "unhealthy: ";

    private final ContainerRepository containers;
    private final ContainerManagement management;
    private final NodeRegistry nodes;
    /** the reconciler's thread: exits, restarts and the comparison with the nodes happen one at a time */
    private final ScheduledExecutorService scheduler;
    /** stops unhealthy containers, each on a thread of its own (a stop waits up to the container's stop timeout: never on the reconciler's thread) */
    private final ExecutorService stopper;
    private final AuditLog audit;
    private final TeamManagement teams;
    private final Map<String, Boolean> pendingRestarts = new ConcurrentHashMap<>();

    RestartSupervisor(ContainerRepository containers, ContainerManagement management, NodeRegistry nodes,
            ScheduledExecutorService scheduler, ExecutorService stopper, AuditLog audit, TeamManagement teams) {
        this.containers = containers;
        this.management = management;
        this.nodes = nodes;
        this.scheduler = scheduler;
        this.stopper = stopper;
        this.audit = audit;
        this.teams = teams;
    }

    /** Whether the container waits for a restart (the reconciler leaves it alone meanwhile). */
    boolean isPending(String id) {
        return pendingRestarts.containsKey(id);
    }

    /** Records an exit and applies the restart policy. */
    void exited(String id, Integer exitCode, boolean oomKilled) {
        if (!containers.existsById(id) || pendingRestarts.containsKey(id)) {
            return;
        }
        Container row = management.update(id, c -> {
            if (c.getState() != Container.State.REMOVING) {
                c.exited(exitCode, oomKilled, management.now());
            }
        });
        if (row.getState() == Container.State.REMOVING) {
            return; // the exit its removal caused
        }
        RestartPolicy policy = row.getRestartPolicy();
        boolean stoppedByUser = row.getDesiredState() == Container.DesiredState.STOPPED;
        int code = exitCode == null ? -1 : exitCode;
        if (!policy.restarts(code, row.getRestartCount(), stoppedByUser)) {
            if (policy.gaveUp(code, row.getRestartCount(), stoppedByUser)) {
                management.update(id, c -> c.state(Container.State.EXITED, "restart policy " + policy + " gave up after "
                        + c.getRestartCount() + " restarts"));
            }
            return;
        }
        Duration delay = RestartPolicy.delay(row.getRestartCount());
        management.update(id, c -> c.restarting("exit code " + code + (oomKilled ? " (OOM-killed)" : "") + "; restart "
                + (c.getRestartCount() + 1) + " in " + delay.toMillis() + " ms (" + policy + ")"));
        pendingRestarts.put(id, true);
        scheduler.schedule(() -> restart(id), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A running container its health check found unhealthy, whose check says {@code onUnhealthy: restart}:
     * it is {@code restarting} with the reason (in the audit log too), is stopped (its stop signal, then
     * {@code KILL} after {@code stopTimeoutSeconds}) and started again after the restart policy's backoff;
     * it counts as a restart. An {@code on-failure:N} policy's N caps these restarts as well; a
     * container a person stopped is left alone.
     */
    void unhealthy(String id, Health health, int stopTimeoutSeconds) {
        Optional<Container> found = containers.findById(id);
        if (found.isEmpty() || pendingRestarts.containsKey(id)) {
            return;
        }
        Container row = found.get();
        if (row.getState() != Container.State.RUNNING || row.getDesiredState() != Container.DesiredState.RUNNING) {
            return;
        }
        RestartPolicy policy = row.getRestartPolicy();
        String why = UNHEALTHY + describe(health);
        if (policy.maxRetries() > 0 && row.getRestartCount() >= policy.maxRetries()) {
            management.update(id, c -> c.state(c.getState(), why + "; restart policy " + policy + " gave up after "
                    + c.getRestartCount() + " restarts"));
            return;
        }
        Duration delay = RestartPolicy.delay(row.getRestartCount());
        String reason = why + "; restart " + (row.getRestartCount() + 1) + " in " + delay.toMillis() + " ms (onUnhealthy: restart)";
        log.info("container {} ({}) is {}", row.getName(), id, reason);
        management.update(id, c -> c.restarting(reason));
        pendingRestarts.put(id, true);
        audited(row, reason);
        stopper.execute(() -> {
            try {
                management.runtime(row).stop(id, Duration.ofSeconds(stopTimeoutSeconds));
            } catch (RuntimeException e) {
                log.warn("stopping unhealthy container {} failed: {}", id, e.getMessage());
            }
            scheduler.schedule(() -> restart(id), delay.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    /** The failures in a row and the last probe: {@code 3 health checks failed in a row (last: exit code 1: …)}. */
    static String describe(Health health) {
        String last = "";
        if (!health.log().isEmpty()) {
            Health.Probe probe = health.log().get(health.log().size() - 1);
            String output = probe.output() == null ? "" : probe.output().strip();
            int newline = output.lastIndexOf('\n');
            output = newline < 0 ? output : output.substring(newline + 1);
            last = " (last: exit code " + probe.exitCode() + (output.isEmpty() ? "" : ": " + abbreviate(output)) + ")";
        }
        return health.failingStreak() + " health check" + (health.failingStreak() == 1 ? "" : "s") + " failed in a row" + last;
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }

    private void audited(Container row, String reason) {
        try {
            String team = teams.byId(row.getTeamId()).getName();
            audit.record(new AuditLog.Entry(StorageMeter.ACTOR, "system", null, "RESTART unhealthy",
                    "/api/v1/teams/" + team + "/containers/" + row.getName(), team, null, AuditLog.SUCCESS, null, reason));
        } catch (RuntimeException e) {
            log.warn("could not write the audit event of restarting unhealthy container {}: {}", row.getId(), e.getMessage());
        }
    }

    private void restart(String id) {
        try {
            if (!containers.existsById(id)) {
                return;
            }
            ContainerInfo info = management.runtime(containers.findById(id).orElseThrow()).start(id);
            management.update(id, c -> {
                c.started(info.startedAt());
                c.address(info.ipAddress());
            });
        } catch (RuntimeException e) {
            log.warn("restarting container {} failed: {}", id, e.getMessage());
            if (containers.existsById(id)) {
                management.update(id, c -> c.state(Container.State.EXITED, "restart failed: " + e.getMessage()));
            }
        } finally {
            pendingRestarts.remove(id);
        }
        // an exit that came while the restart was pending is handled now
        Optional<Container> row = containers.findById(id);
        if (row.isPresent() && nodes.isUp(row.get().getNode())) {
            try {
                ContainerInfo now = management.runtime(row.get()).inspect(id);
                if (now.state() == ContainerState.EXITED) {
                    exited(id, now.exitCode(), now.oomKilled());
                }
            } catch (RuntimeFailure ignored) {
                // reconciled later
            }
        }
    }
}
