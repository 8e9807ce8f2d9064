package dev.wharf.platform.workload;

import dev.wharf.platform.node.NodeRegistry;
import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.RuntimeFailure;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records containers' exits and applies their restart policy ({@link RestartPolicy}): a container
 * that restarts is {@code restarting} with the reason and the delay, and is started again after the
 * backoff on the reconciler's thread. An exit that comes while a restart is pending is handled once
 * that restart is done.
 */
final class RestartSupervisor {

    private static final Logger log = LoggerFactory.getLogger(RestartSupervisor.class);

    private final ContainerRepository containers;
    private final ContainerManagement management;
    private final NodeRegistry nodes;
    /** the reconciler's thread: exits, restarts and the comparison with the nodes happen one at a time */
    private final ScheduledExecutorService scheduler;
    private final Map<String, Boolean> pendingRestarts = new ConcurrentHashMap<>();

    RestartSupervisor(ContainerRepository containers, ContainerManagement management, NodeRegistry nodes,
            ScheduledExecutorService scheduler) {
        this.containers = containers;
        this.management = management;
        this.nodes = nodes;
        this.scheduler = scheduler;
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
