package dev.wharf.platform.workload;

import dev.wharf.platform.audit.AuditLog;
import dev.wharf.platform.node.Leases;
import dev.wharf.platform.node.NodeRegistry;
import dev.wharf.platform.node.NodeUsage;
import dev.wharf.platform.team.TeamManagement;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps the recorded state true: runtime events (exit, OOM, health) update the database and drive
 * restart policies ({@link RestartSupervisor}, {@link HealthReports}); at start-up and every few seconds the database is
 * compared with what the node reports (drift). Containers the node lost become {@code unknown} with a
 * reason; containers the node has but the database does not are logged and listed on the
 * nodes API, never killed.
 */
@Component
class Reconciler implements NodeUsage {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    private final ContainerRepository containers;
    private final ContainerManagement management;
    private final NodeRegistry nodes;
    private final StorageMeter meter;
    private final Leases leases;
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
    /** containers each node runs that the platform has no record of */
    private final Map<String, Set<String>> unmanaged = new ConcurrentHashMap<>();
    private final RestartSupervisor restarts;
    private final HealthReports health;
    /**
     * stops containers that turned unhealthy and restart, each on a thread of its own: a stop may wait a
     * container's stop timeout (up to an hour), which must not hold up another container's, least of all
     * another team's (as many at once as containers are being restarted for their health)
     */
    private final ExecutorService stopper = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "wharf-unhealthy-stopper");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, AutoCloseable> subscriptions = new ConcurrentHashMap<>();
    /** whether this replica holds the reconciler's lease (only the holder acts: one replica restarts a container, not all) */
    private volatile boolean leader;

    Reconciler(ContainerRepository containers, ContainerManagement management, NodeRegistry nodes, StorageMeter meter, Leases leases,
            dev.wharf.WharfSettings settings, @Value("${wharf.reconcile-interval:10s}") Duration interval,
            @Value("${wharf.storage-interval:60s}") Duration storageInterval, JsonMapper json, AuditLog audit, TeamManagement teams) {
        this.containers = containers;
        this.management = management;
        this.nodes = nodes;
        this.meter = meter;
        this.leases = settings.mode() == dev.wharf.WharfSettings.Mode.ALL ? null : leases; // all-in-one: one process by definition
        this.interval = interval;
        this.storageInterval = storageInterval;
        this.restarts = new RestartSupervisor(containers, management, nodes, scheduler, stopper, audit, teams);
        this.health = new HealthReports(management, restarts, json);
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (nodes.isJoined(NodeRegistry.LOCAL)) {
            subscribe(NodeRegistry.LOCAL);
        }
        scheduler.scheduleWithFixedDelay(this::reconcileQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        measurer.scheduleWithFixedDelay(this::measureQuietly, storageInterval.toMillis(), storageInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A node that is (back) up: its events are heard from now on and its containers compared at once. */
    @EventListener
    void nodeUp(NodeRegistry.NodeUp event) {
        subscribe(event.name());
        scheduler.execute(this::reconcileQuietly);
    }

    private void subscribe(String name) {
        try {
            AutoCloseable subscription = nodes.runtime(name).subscribe(event -> scheduler.execute(() -> handle(name, event)));
            close(subscriptions.put(name, subscription));
        } catch (RuntimeException e) {
            log.warn("cannot hear node {}'s events yet: {}", name, e.getMessage());
        }
    }

    private static void close(AutoCloseable subscription) {
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                // the stream is gone either way
            }
        }
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        scheduler.shutdownNow();
        measurer.shutdownNow();
        stopper.shutdownNow();
        subscriptions.values().forEach(Reconciler::close);
        if (leader && leases != null) {
            try {
                leases.release(LEASE);
            } catch (RuntimeException e) {
                // it expires by itself
            }
        }
    }

    private static final String LEASE = "reconciler";
    /** longer than any create takes (a pull of a big image included) */
    static final Duration ABANDONED_AFTER = Duration.ofMinutes(30);

    private void measureQuietly() {
        try {
            measure();
        } catch (RuntimeException e) {
            log.warn("measuring containers' writable layers failed; trying again in {} s", storageInterval.toSeconds(), e);
        }
    }

    /**
     * Records what each container has written to its own layer (it counts against the team's
     * storage quota) and stops the containers that push their team past it ({@link StorageMeter}).
     */
    void measure() {
        if (!leader) {
            return;
        }
        meter.measure();
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            log.warn("reconciling with the nodes failed; trying again in {} s", interval.toSeconds(), e);
        }
    }

    /** One pass, on the replica that holds the lease: the database's containers against each node's. */
    void reconcile() {
        leader = leases == null || leases.hold(LEASE, interval.multipliedBy(3));
        if (!leader) {
            return;
        }
        List<String> names = nodes.names();
        subscriptions.keySet().stream().filter(name -> !names.contains(name)).toList()
                .forEach(removed -> close(subscriptions.remove(removed))); // a removed node is not listened to either
        for (String name : names) {
            if (nodes.isUp(name)) {
                if (!subscriptions.containsKey(name)) {
                    subscribe(name);
                }
                try {
                    reconcile(name, nodes.runtime(name));
                } catch (RuntimeFailure e) {
                    if (e.kind() != RuntimeFailure.Kind.UNAVAILABLE) {
                        throw e;
                    }
                    log.info("node {} stopped answering while being reconciled ({}); the heartbeats decide whether it is down", name,
                            e.getMessage());
                }
            } else if (!NodeRegistry.LOCAL.equals(name)) { // the server's own runtime being down is shown on the node, not per container
                markUnknown(containers.placedOnNode(name), "node " + name + " is not answering; the container's state is unknown until it is back");
            }
        }
        List<String> joined = new java.util.ArrayList<>(nodes.joinedNames());
        joined.add(""); // never a node's name: keeps the list non-empty for the query
        markUnknown(containers.placedOutside(joined), "its node was removed; delete the container or create it again");
    }

    /**
     * A create that never finished (the replica handling it died after admission): once it is
     * older than any pull, whatever the node made goes and the row too, which gives its quota back.
     */
    private void abandoned(ContainerRepository.Placement container, RuntimeService node) {
        if (container.createdAt().isAfter(management.now().minus(ABANDONED_AFTER))) {
            return;
        }
        log.warn("container {} ({}) of team {} was admitted {} ago but never finished being created; removing it", container.name(),
                container.id(), container.teamId(), ABANDONED_AFTER);
        try {
            node.remove(container.id(), true);
        } catch (RuntimeFailure e) {
            if (e.kind() != RuntimeFailure.Kind.NOT_FOUND) {
                log.warn("could not remove abandoned container {} from its node: {}", container.id(), e.getMessage());
                return;
            }
        }
        containers.deleteRow(container.id());
    }

    private void markUnknown(List<ContainerRepository.Placement> lost, String reason) {
        for (ContainerRepository.Placement container : lost) {
            if (container.state() != Container.State.UNKNOWN && container.state() != Container.State.REMOVING) {
                log.warn("container {} ({}) on node {}: {}", container.name(), container.id(), container.node(), reason);
                management.update(container.id(), row -> row.state(Container.State.UNKNOWN, reason));
            }
        }
    }

    /** The database's containers on one node against what the node reports. */
    private void reconcile(String name, RuntimeService node) {
        Set<String> known = new HashSet<>();
        for (ContainerRepository.Placement container : containers.placedOnNode(name)) {
            known.add(container.id());
            if (container.state() == Container.State.REMOVING || restarts.isPending(container.id())) {
                continue;
            }
            if (container.imageDigest() == null) { // still being created (pulling, or the node making it)
                abandoned(container, node);
                continue;
            }
            ContainerInfo info;
            try {
                info = node.inspect(container.id());
            } catch (RuntimeFailure e) {
                if (e.kind() == RuntimeFailure.Kind.NOT_FOUND && container.state() != Container.State.UNKNOWN) {
                    log.warn("container {} ({}) is gone from node {}; marking it unknown", container.name(), container.id(), name);
                    management.update(container.id(), row -> row.state(Container.State.UNKNOWN,
                            "the node no longer has this container (host reboot or manual removal); delete it or create it again"));
                }
                continue;
            }
            if (info.state() == ContainerState.EXITED && container.state() != Container.State.EXITED) {
                restarts.exited(container.id(), info.exitCode(), info.oomKilled());
            } else if (info.state() == ContainerState.RUNNING && container.state() != Container.State.RUNNING) {
                management.update(container.id(), row -> {
                    row.started(info.startedAt());
                    row.address(info.ipAddress());
                });
            } else if (info.state() == ContainerState.CREATED && container.state() == Container.State.UNKNOWN) {
                management.update(container.id(), row -> row.state(Container.State.CREATED, null));
            } else if (info.state() == ContainerState.RUNNING && !java.util.Objects.equals(info.ipAddress(), container.ipAddress())) {
                management.update(container.id(), row -> row.address(info.ipAddress()));
            }
            health.compare(container, info);
        }
        known.addAll(containers.findAllIds());
        health.retain(known);
        Set<String> strangers = new HashSet<>();
        Set<String> reported = unmanaged.computeIfAbsent(name, k -> ConcurrentHashMap.newKeySet());
        for (ContainerInfo info : node.list()) {
            if (!known.contains(info.id())) {
                strangers.add(info.id());
                if (reported.add(info.id())) {
                    log.warn("node {} runs container {} ({}) that the platform has no record of; it is left alone", name, info.id(),
                            info.name());
                }
            }
        }
        reported.retainAll(strangers);
    }

    /**
     * One event from node {@code node}'s stream. A node speaks only for the containers placed on it:
     * an event naming a container placed elsewhere (or on no node) is logged and ignored, so a node
     * cannot end, restart or rewrite another node's containers.
     */
    void handle(String node, RuntimeEvent event) {
        if (!leader) {
            return; // the replica holding the lease acts on it
        }
        try {
            java.util.Optional<Container> placed = containers.findById(event.containerId());
            if (placed.isPresent() && !sameNode(placed.get().getNode(), node)) {
                log.warn("node {} reported {} for container {}, which is placed on node {}; ignored", node,
                        event.getClass().getSimpleName(), event.containerId(), nodeName(placed.get().getNode()));
                return;
            }
            if (event instanceof RuntimeEvent.ContainerExited exited) {
                restarts.exited(exited.containerId(), exited.exitCode(), exited.oomKilled());
            } else if (event instanceof RuntimeEvent.ContainerHealthChanged changed && placed.isPresent()) {
                health.changed(changed.containerId(), changed.health());
            } else if (event instanceof RuntimeEvent.ContainerStarted started && !management.isObserving(started.containerId())) {
                // a start a request made is written by that request (observe); this one came from elsewhere (a restart policy)
                // nor when the exit of that run is written already: a start is never news after its own exit
                containers.findById(started.containerId())
                        .filter(row -> !row.saysStarted(started.time()) && !row.exitedSince(started.time()))
                        .ifPresent(row -> management.update(started.containerId(), c -> c.started(started.time())));
            }
        } catch (RuntimeException e) {
            log.warn("could not record {}", event, e);
        }
    }

    private static boolean sameNode(String placedOn, String node) {
        return nodeName(placedOn).equals(nodeName(node));
    }

    private static String nodeName(String node) {
        return node == null ? NodeRegistry.LOCAL : node;
    }

    @Override
    public Allocation allocated(String node) {
        ContainerRepository.Placed placed = containers.placedOn(node);
        return new Allocation(placed.getContainers(), placed.getCpus() == null ? 0 : placed.getCpus().doubleValue(),
                placed.getMemoryBytes() == null ? 0 : placed.getMemoryBytes(), placed.getPids() == null ? 0 : placed.getPids());
    }

    @Override
    public List<String> unmanaged(String node) {
        return List.copyOf(unmanaged.getOrDefault(node, Set.of()));
    }

    @Override
    public Map<String, Long> teamContainers(long teamId) {
        Map<String, Long> counts = new java.util.HashMap<>();
        for (Object[] row : containers.countByNodeForTeam(teamId)) {
            counts.put((String) row[0], ((Number) row[1]).longValue());
        }
        return counts;
    }

    @Override
    public Set<Long> teamsOn(String node) {
        return Set.copyOf(containers.teamsOn(node));
    }
}
