package dev.wharf.platform.workload;

import dev.wharf.platform.node.NodeUsage;
import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Keeps the recorded state true: runtime events (exit, OOM) update the database and drive
 * restart policies with exponential backoff; at start-up and every few seconds the database is
 * compared with what the node reports. Containers the node lost become {@code unknown} with a
 * reason; containers the node has but the database does not are logged and listed on the
 * nodes API, never killed.
 */
@Component
class Reconciler implements NodeUsage {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    private final ContainerRepository containers;
    private final ContainerManagement management;
    private final ObjectProvider<RuntimeService> runtime;
    private final Duration interval;
    private final Duration storageInterval;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "wharf-reconciler");
        thread.setDaemon(true);
        return thread;
    });
    /** walks containers' layers; on a thread of its own so a big layer never delays exits and restarts */
    private final ScheduledExecutorService measurer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "wharf-storage-measurer");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<String> unmanaged = ConcurrentHashMap.newKeySet();
    private final Map<String, Boolean> pendingRestarts = new ConcurrentHashMap<>();

    Reconciler(ContainerRepository containers, ContainerManagement management, ObjectProvider<RuntimeService> runtime,
            @Value("${wharf.reconcile-interval:10s}") Duration interval, @Value("${wharf.storage-interval:60s}") Duration storageInterval) {
        this.containers = containers;
        this.management = management;
        this.runtime = runtime;
        this.interval = interval;
        this.storageInterval = storageInterval;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        RuntimeService node = runtime.getIfAvailable();
        if (node == null) {
            return;
        }
        node.subscribe(event -> scheduler.execute(() -> handle(event)));
        scheduler.scheduleWithFixedDelay(this::reconcileQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        measurer.scheduleWithFixedDelay(this::measureQuietly, storageInterval.toMillis(), storageInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        scheduler.shutdownNow();
        measurer.shutdownNow();
    }

    private void measureQuietly() {
        try {
            measure();
        } catch (RuntimeException e) {
            log.warn("measuring containers' writable layers failed; trying again in {} s", storageInterval.toSeconds(), e);
        }
    }

    /** Records what each container has written to its own layer: it counts against the team's storage quota. */
    void measure() {
        RuntimeService node = runtime.getIfAvailable();
        if (node == null || !node.status().ready()) {
            return;
        }
        for (ContainerRepository.Placement container : containers.placedOnNode(ContainerManagement.LOCAL_NODE)) {
            long bytes;
            try {
                bytes = node.writableBytes(container.id());
            } catch (RuntimeFailure e) {
                continue; // gone meanwhile; the reconciler deals with it
            }
            if (bytes != container.writableBytes()) {
                containers.recordWritableBytes(container.id(), bytes);
            }
        }
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            log.warn("reconciling with the node failed; trying again in {} s", interval.toSeconds(), e);
        }
    }

    /** One pass: the database's containers against the node's. */
    void reconcile() {
        RuntimeService node = runtime.getIfAvailable();
        if (node == null || !node.status().ready()) {
            return;
        }
        Set<String> known = new HashSet<>();
        for (ContainerRepository.Placement container : containers.placedOnNode(ContainerManagement.LOCAL_NODE)) {
            known.add(container.id());
            if (ContainerStates.REMOVING.equals(container.state()) || pendingRestarts.containsKey(container.id())) {
                continue;
            }
            ContainerInfo info;
            try {
                info = node.inspect(container.id());
            } catch (RuntimeFailure e) {
                if (e.kind() == RuntimeFailure.Kind.NOT_FOUND && !ContainerStates.UNKNOWN.equals(container.state())) {
                    log.warn("container {} ({}) is gone from the node; marking it unknown", container.name(), container.id());
                    management.update(container.id(), row -> row.state(ContainerStates.UNKNOWN,
                            "the node no longer has this container (host reboot or manual removal); delete it or create it again"));
                }
                continue;
            }
            if (info.state() == ContainerState.EXITED && !ContainerStates.EXITED.equals(container.state())) {
                exited(container.id(), info.exitCode(), info.oomKilled());
            } else if (info.state() == ContainerState.RUNNING && !ContainerStates.RUNNING.equals(container.state())) {
                management.update(container.id(), row -> {
                    row.started(info.startedAt());
                    row.address(info.ipAddress());
                });
            } else if (info.state() == ContainerState.RUNNING && !java.util.Objects.equals(info.ipAddress(), container.ipAddress())) {
                management.update(container.id(), row -> row.address(info.ipAddress()));
            }
        }
        known.addAll(containers.findAllIds());
        Set<String> strangers = new HashSet<>();
        for (ContainerInfo info : node.list()) {
            if (!known.contains(info.id())) {
                strangers.add(info.id());
                if (unmanaged.add(info.id())) {
                    log.warn("the node runs container {} ({}) that the platform has no record of; it is left alone", info.id(), info.name());
                }
            }
        }
        unmanaged.retainAll(strangers);
    }

    private void handle(RuntimeEvent event) {
        try {
            if (event instanceof RuntimeEvent.ContainerExited exited) {
                exited(exited.containerId(), exited.exitCode(), exited.oomKilled());
            } else if (event instanceof RuntimeEvent.ContainerStarted started && !management.isObserving(started.containerId())) {
                // a start a request made is written by that request (observe); this one came from elsewhere (a restart policy)
                containers.findById(started.containerId()).filter(row -> !row.saysStarted(started.time()))
                        .ifPresent(row -> management.update(started.containerId(), c -> c.started(started.time())));
            }
        } catch (RuntimeException e) {
            log.warn("could not record {}", event, e);
        }
    }

    /** Records an exit and applies the restart policy. */
    private void exited(String id, Integer exitCode, boolean oomKilled) {
        if (!containers.existsById(id) || pendingRestarts.containsKey(id)) {
            return;
        }
        Container row = management.update(id, c -> {
            if (!ContainerStates.REMOVING.equals(c.getState())) {
                c.exited(exitCode, oomKilled, management.now());
            }
        });
        if (ContainerStates.REMOVING.equals(row.getState())) {
            return; // the exit its removal caused
        }
        RestartPolicy policy = RestartPolicy.parse(row.getRestartPolicy());
        boolean stoppedByUser = ContainerStates.DESIRED_STOPPED.equals(row.getDesiredState());
        int code = exitCode == null ? -1 : exitCode;
        if (!policy.restarts(code, row.getRestartCount(), stoppedByUser)) {
            if (policy.name().equals("on-failure") && code != 0 && !stoppedByUser) {
                management.update(id, c -> c.state(ContainerStates.EXITED, "restart policy " + policy + " gave up after "
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
            ContainerInfo info = management.runtime().start(id);
            management.update(id, c -> {
                c.started(info.startedAt());
                c.address(info.ipAddress());
            });
        } catch (RuntimeException e) {
            log.warn("restarting container {} failed: {}", id, e.getMessage());
            if (containers.existsById(id)) {
                management.update(id, c -> c.state(ContainerStates.EXITED, "restart failed: " + e.getMessage()));
            }
        } finally {
            pendingRestarts.remove(id);
        }
        // an exit that came while the restart was pending is handled now
        RuntimeService node = runtime.getIfAvailable();
        if (node != null && containers.existsById(id)) {
            try {
                ContainerInfo now = node.inspect(id);
                if (now.state() == ContainerState.EXITED) {
                    exited(id, now.exitCode(), now.oomKilled());
                }
            } catch (RuntimeFailure ignored) {
                // reconciled later
            }
        }
    }

    @Override
    public Allocation allocated(String node) {
        ContainerRepository.Placed placed = containers.placedOn(node);
        return new Allocation(placed.getContainers(), placed.getCpus() == null ? 0 : placed.getCpus().doubleValue(),
                placed.getMemoryBytes() == null ? 0 : placed.getMemoryBytes(), placed.getPids() == null ? 0 : placed.getPids());
    }

    @Override
    public List<String> unmanaged(String node) {
        return List.copyOf(unmanaged);
    }
}
