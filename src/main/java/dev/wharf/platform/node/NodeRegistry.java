package dev.wharf.platform.node;

import dev.wharf.platform.secret.SecretBox;
import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.Quantities;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.NodeStatus;
import dev.wharf.runtime.api.RuntimeConnector;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * The nodes the control plane places containers on: the in-process runtime in {@code all} mode
 * (node {@value #LOCAL}), and every node that joined (reached over HTTP with its credential).
 * Every replica sends each joined node a heartbeat ({@code status}) every
 * {@code wharf.node.heartbeat-interval}; a node that has not answered for
 * {@code wharf.node.down-after} is down, and one that comes back up is announced with
 * {@link NodeUp} so its teams' limits and containers are brought up to date.
 */
@Service
public class NodeRegistry {

    public static final String LOCAL = "local";
    private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);

    private final ObjectProvider<RuntimeService> local;
    private final ObjectProvider<NodeUsage> usage;
    private final ObjectProvider<RuntimeConnector> connector;
    private final NodeStore store;
    private final SecretBox secrets;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final Duration heartbeat;
    private final Duration downAfter;
    private final Map<String, Remote> remotes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "wharf-heartbeats");
        thread.setDaemon(true);
        return thread;
    });

    NodeRegistry(ObjectProvider<RuntimeService> local, ObjectProvider<NodeUsage> usage, ObjectProvider<RuntimeConnector> connector,
            NodeStore store, SecretBox secrets, ApplicationEventPublisher events, Clock clock,
            @Value("${wharf.node.heartbeat-interval:5s}") Duration heartbeat, @Value("${wharf.node.down-after:15s}") Duration downAfter) {
        this.local = local;
        this.usage = usage;
        this.connector = connector;
        this.store = store;
        this.secrets = secrets;
        this.events = events;
        this.clock = clock;
        this.heartbeat = heartbeat;
        this.downAfter = downAfter;
    }

    /** A node came up (first heartbeat answered, or answered again after it was down). */
    public record NodeUp(String name) {
    }

    public record Capacity(int cpus, long memoryBytes) {
    }

    /**
     * @param state       {@code up}, {@code down} (with the reasons in {@code problems}) or {@code joining} (no heartbeat answered yet)
     * @param allocated   declared limits of the containers placed here
     * @param unmanaged   ids of containers the node runs that the platform does not know
     * @param url         where the server reaches the node ({@code null} for the in-process one)
     * @param lastSeen    the last heartbeat it answered ({@code null} for the in-process one)
     */
    public record Node(String name, String state, List<String> problems, Capacity capacity, NodeUsage.Allocation allocated,
            List<String> unmanaged, String cgroupVersion, String url, Instant lastSeen) {
    }

    /** A joined node as this replica sees it. */
    private final class Remote {
        final String name;
        final URI url;
        final RuntimeService runtime;
        volatile NodeStatus status;
        volatile Instant lastSeen;
        volatile String failure = "no heartbeat answered yet";
        volatile boolean up;

        Remote(NodeStore.Row row) {
            this.name = row.name();
            this.url = row.url();
            this.runtime = connector.getObject().connect(row.url(), secrets.open(row.sealedCredential()));
            this.lastSeen = row.lastSeen();
        }

        String state() {
            if (up) {
                return "up";
            }
            return status == null && lastSeen == null ? "joining" : "down";
        }

        List<String> problems() {
            if (up) {
                return List.of();
            }
            return status != null && !status.ready() && failure == null ? status.problems() : List.of(failure);
        }
    }

    @EventListener(ApplicationReadyEvent.class)
    void startHeartbeats() {
        scheduler.scheduleWithFixedDelay(this::heartbeatQuietly, 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    @jakarta.annotation.PreDestroy
    void stopHeartbeats() {
        scheduler.shutdownNow();
    }

    private void heartbeatQuietly() {
        try {
            heartbeat();
        } catch (RuntimeException e) {
            log.warn("node heartbeats failed; trying again in {} s", heartbeat.toSeconds(), e);
        }
    }

    /** One round: nodes that joined (on any replica) are picked up, revoked ones forgotten, every one asked for its status. */
    void heartbeat() {
        Set<String> joined = new HashSet<>();
        for (NodeStore.Row row : store.all()) {
            joined.add(row.name());
            Remote known = remotes.get(row.name());
            if (known == null || !known.url.equals(row.url())) {
                try {
                    remotes.put(row.name(), new Remote(row));
                } catch (RuntimeException e) {
                    log.error("cannot reach node {}: its credential does not open with this server's key ({}); every replica needs"
                            + " the same wharf.secrets.key", row.name(), e.getMessage());
                }
            }
        }
        remotes.keySet().retainAll(joined);
        for (Remote remote : remotes.values()) {
            beat(remote);
        }
    }

    private void beat(Remote remote) {
        Instant now = clock.instant();
        boolean wasUp = remote.up;
        try {
            NodeStatus status = remote.runtime.status();
            remote.status = status;
            remote.lastSeen = now;
            remote.failure = null;
            remote.up = status.ready();
            store.heartbeat(remote.name, remote.state(), status.ready() ? null : String.join("\n", status.problems()), status.cpus(),
                    status.memoryBytes(), status.cgroupVersion(), now);
        } catch (RuntimeFailure e) {
            Instant since = remote.lastSeen;
            boolean gone = since == null || Duration.between(since, now).compareTo(downAfter) >= 0;
            remote.failure = "not answering" + (since == null ? "" : " since " + since) + ": " + e.getMessage();
            if (gone) {
                remote.up = false;
                store.heartbeat(remote.name, remote.state(), remote.failure, 0, 0, null, null);
            }
        }
        if (remote.up && !wasUp) {
            log.info("node {} at {} is up", remote.name, remote.url);
            events.publishEvent(new NodeUp(remote.name));
        } else if (!remote.up && wasUp) {
            log.warn("node {} at {} is down: {}", remote.name, remote.url, String.join("; ", remote.problems()));
        }
    }

    /** Knows a node that just joined at once on this replica (other replicas at their next heartbeat), and greets it soon. */
    void joined(String name) {
        store.find(name).ifPresent(row -> {
            Remote remote = new Remote(row);
            remotes.put(name, remote);
            scheduler.schedule(() -> beat(remote), 500, TimeUnit.MILLISECONDS); // the node finishes starting meanwhile
        });
    }

    /** Forgets a revoked node at once on this replica (other replicas at their next heartbeat). */
    void forget(String name) {
        remotes.remove(name);
    }

    /** The runtime service of a node, for work on what it runs; 503 when the node is unknown or down. */
    public RuntimeService runtime(String node) {
        if (node == null || LOCAL.equals(node)) {
            RuntimeService runtime = local.getIfAvailable();
            if (runtime == null) {
                throw new WharfException(ErrorCategory.UNAVAILABLE, "this server runs no containers itself (no node \"local\")");
            }
            return runtime;
        }
        Remote remote = remotes.get(node);
        if (remote == null) {
            throw new WharfException(ErrorCategory.UNAVAILABLE, "node " + node + " is not known (it was removed or has not joined)");
        }
        if (!remote.up) {
            throw new WharfException(ErrorCategory.UNAVAILABLE, "node " + node + " is down: " + String.join("; ", remote.problems()));
        }
        return remote.runtime;
    }

    /**
     * A runtime for work that may happen on any node (pulling an image into the catalogue, importing
     * one): the in-process one, else the first node up; 503 naming {@code purpose} when there is none.
     */
    public RuntimeService runtimeFor(String purpose) {
        RuntimeService runtime = local.getIfAvailable();
        if (runtime != null) {
            return runtime;
        }
        return remotes.values().stream().filter(r -> r.up).sorted(Comparator.comparing(r -> r.name)).findFirst().map(r -> r.runtime)
                .orElseThrow(() -> new WharfException(ErrorCategory.UNAVAILABLE, "no node is available to " + purpose));
    }

    /** The in-process runtime when it is there and can run containers (for reads that can do without it). */
    public Optional<RuntimeService> ready() {
        return Optional.ofNullable(local.getIfAvailable()).filter(r -> r.status().ready());
    }

    /** The runtimes of the nodes that are up now, by node name (the in-process one first). */
    public Map<String, RuntimeService> up() {
        Map<String, RuntimeService> up = new LinkedHashMap<>();
        ready().ifPresent(runtime -> up.put(LOCAL, runtime));
        remotes.values().stream().filter(r -> r.up).sorted(Comparator.comparing(r -> r.name)).forEach(r -> up.put(r.name, r.runtime));
        return up;
    }

    /** Whether the node is known and up (a down node's containers are {@code unknown} until it is back). */
    public boolean isUp(String node) {
        if (node == null || LOCAL.equals(node)) {
            return ready().isPresent();
        }
        Remote remote = remotes.get(node);
        return remote != null && remote.up;
    }

    /** The teams with containers placed on the node. */
    public java.util.Set<Long> teamsOn(String node) {
        NodeUsage known = usage.getIfAvailable();
        return known == null ? java.util.Set.of() : known.teamsOn(node);
    }

    /** Whether the node is this server's own runtime or has joined and was not removed (the database says, not a heartbeat). */
    public boolean isJoined(String node) {
        if (node == null || LOCAL.equals(node)) {
            return local.getIfAvailable() != null;
        }
        return store.find(node).isPresent();
    }

    /** The in-process node (if any) and every node that joined and was not removed, as the database says now. */
    public List<String> joinedNames() {
        List<String> names = new ArrayList<>();
        if (local.getIfAvailable() != null) {
            names.add(LOCAL);
        }
        store.all().forEach(row -> names.add(row.name()));
        return names;
    }

    /** Every node this replica knows: the in-process one and those that joined. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        if (local.getIfAvailable() != null) {
            names.add(LOCAL);
        }
        remotes.keySet().stream().sorted().forEach(names::add);
        return names;
    }

    /**
     * The node a container of these declared limits goes to: one that is up and whose capacity minus
     * what is placed there holds the request; of those, the one with the fewest of the team's
     * containers (a team spreads over the nodes), then the one with the most memory left.
     * {@code pinned} (the node of a volume the container mounts) leaves only that node. Refuses with a
     * problem that says why otherwise.
     */
    public String place(long teamId, Double cpus, Long memoryBytes, String pinned) {
        List<Node> all = nodes();
        if (all.isEmpty()) {
            throw new WharfException(ErrorCategory.UNAVAILABLE, "no node is available to run containers");
        }
        NodeUsage known = usage.getIfAvailable();
        Map<String, Long> teamCounts = known == null ? Map.of() : known.teamContainers(teamId);
        List<String> reasons = new ArrayList<>();
        Node best = null;
        for (Node node : all) {
            if (pinned != null && !pinned.equals(node.name())) {
                continue;
            }
            if (!node.state().equals("up")) {
                reasons.add("node " + node.name() + " is " + node.state() + " (" + String.join("; ", node.problems()) + ")");
                continue;
            }
            double freeCpus = node.capacity().cpus() - node.allocated().cpus();
            long freeMemory = node.capacity().memoryBytes() - node.allocated().memoryBytes();
            if (cpus != null && cpus > freeCpus + 1e-9) {
                reasons.add("node " + node.name() + " has " + Quantities.formatCpus(Math.max(0, freeCpus)) + " of "
                        + node.capacity().cpus() + " cpus left");
            } else if (memoryBytes != null && memoryBytes > freeMemory) {
                reasons.add("node " + node.name() + " has " + Quantities.formatBytes(Math.max(0, freeMemory)) + " of "
                        + Quantities.formatBytes(node.capacity().memoryBytes()) + " memory left");
            } else if (best == null || better(node, best, teamCounts)) {
                best = node;
            }
        }
        if (best != null) {
            return best.name();
        }
        if (pinned != null && reasons.isEmpty()) {
            reasons.add("node " + pinned + " is not known");
        }
        throw new WharfException(ErrorCategory.UNAVAILABLE, "no node has room for this container"
                + (pinned == null ? "" : " on node " + pinned + ", where its volumes are") + ": " + String.join("; ", reasons));
    }

    private static boolean better(Node candidate, Node best, Map<String, Long> teamCounts) {
        long a = teamCounts.getOrDefault(candidate.name(), 0L);
        long b = teamCounts.getOrDefault(best.name(), 0L);
        if (a != b) {
            return a < b;
        }
        return candidate.capacity().memoryBytes() - candidate.allocated().memoryBytes()
                > best.capacity().memoryBytes() - best.allocated().memoryBytes();
    }

    public List<Node> nodes() {
        NodeUsage known = usage.getIfAvailable();
        List<Node> nodes = new ArrayList<>();
        RuntimeService runtime = local.getIfAvailable();
        if (runtime != null) {
            NodeStatus status = runtime.status();
            nodes.add(new Node(LOCAL, status.ready() ? "up" : "down", status.problems(), new Capacity(status.cpus(), status.memoryBytes()),
                    allocated(known, LOCAL), known == null ? List.of() : known.unmanaged(LOCAL), status.cgroupVersion(), null, null));
        }
        remotes.values().stream().sorted(Comparator.comparing(r -> r.name)).forEach(remote -> {
            NodeStatus status = remote.status;
            nodes.add(new Node(remote.name, remote.state(), remote.problems(),
                    status == null ? new Capacity(0, 0) : new Capacity(status.cpus(), status.memoryBytes()), allocated(known, remote.name),
                    known == null ? List.of() : known.unmanaged(remote.name), status == null ? null : status.cgroupVersion(),
                    remote.url.toString(), remote.lastSeen));
        });
        return nodes;
    }

    private static NodeUsage.Allocation allocated(NodeUsage known, String node) {
        return known == null ? new NodeUsage.Allocation(0, 0, 0, 0) : known.allocated(node);
    }
}
