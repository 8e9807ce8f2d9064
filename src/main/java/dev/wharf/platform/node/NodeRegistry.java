package dev.wharf.platform.node;

import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.NodeStatus;
import dev.wharf.runtime.api.RuntimeService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * The nodes the control plane places containers on: the in-process runtime in {@code all} mode
 * (node {@value #LOCAL}), and every node that joined (reached over HTTP with its credential, kept
 * up to date by {@link NodeHeartbeats}). Where a container goes is {@link Placement}'s rule.
 */
@Service
public class NodeRegistry {

    public static final String LOCAL = "local";

    private final ObjectProvider<RuntimeService> local;
    private final ObjectProvider<NodeUsage> usage;
    private final NodeStore store;
    private final NodeHeartbeats remotes;

    NodeRegistry(ObjectProvider<RuntimeService> local, ObjectProvider<NodeUsage> usage, NodeStore store, NodeHeartbeats remotes) {
        this.local = local;
        this.usage = usage;
        this.store = store;
        this.remotes = remotes;
    }

    /** A node came up (first heartbeat answered, or answered again after it was down). */
    public record NodeUp(String name) {
    }

    public record Capacity(int cpus, long memoryBytes) {
    }

    /**
     * @param state       {@code up}, {@code down} (with the reasons in {@code problems}) or {@code joining} (no heartbeat
     *                    answered yet): {@link NodeState#value()}, as the API and the pages show it; the problems of a
     *                    node that is up keep only some containers from running there (no init for {@code init: true})
     * @param allocated   declared limits of the containers placed here
     * @param unmanaged   ids of containers the node runs that the platform does not know
     * @param url         where the server reaches the node ({@code null} for the in-process one)
     * @param lastSeen    the last heartbeat it answered ({@code null} for the in-process one)
     */
    public record Node(String name, String state, List<String> problems, Capacity capacity, NodeUsage.Allocation allocated,
            List<String> unmanaged, String cgroupVersion, String url, Instant lastSeen) {
    }

    /** Knows a node that just joined at once on this replica (other replicas at their next heartbeat), and greets it soon. */
    void joined(String name) {
        remotes.joined(name);
    }

    /** Forgets a revoked node at once on this replica (other replicas at their next heartbeat). */
    void forget(String name) {
        remotes.forget(name);
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
        RemoteNode remote = remotes.find(node).orElseThrow(() -> new WharfException(ErrorCategory.UNAVAILABLE,
                "node " + node + " is not known (it was removed or has not joined)"));
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
        return remotes.all().stream().filter(r -> r.up).findFirst().map(r -> r.runtime)
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
        remotes.all().stream().filter(r -> r.up).forEach(r -> up.put(r.name, r.runtime));
        return up;
    }

    /** Whether the node is known and up (a down node's containers are {@code unknown} until it is back). */
    public boolean isUp(String node) {
        if (node == null || LOCAL.equals(node)) {
            return ready().isPresent();
        }
        return remotes.find(node).map(r -> r.up).orElse(false);
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
        remotes.all().forEach(r -> names.add(r.name));
        return names;
    }

    /**
     * The node a container of these declared limits goes to ({@link Placement#choose}, over every node this
     * replica knows): {@code pinned} (the node of a volume the container mounts) leaves only that node.
     * Refuses with a problem that says why otherwise.
     */
    public String place(long teamId, Double cpus, Long memoryBytes, String pinned) {
        NodeUsage known = usage.getIfAvailable();
        Map<String, Long> teamCounts = known == null ? Map.of() : known.teamContainers(teamId);
        List<Placement.Candidate> candidates = new ArrayList<>();
        RuntimeService runtime = local.getIfAvailable();
        if (runtime != null) {
            NodeStatus status = runtime.status();
            candidates.add(new Placement.Candidate(LOCAL, status.ready() ? NodeState.UP : NodeState.DOWN, status.problems(),
                    new Capacity(status.cpus(), status.memoryBytes()), allocated(known, LOCAL), teamCounts.getOrDefault(LOCAL, 0L)));
        }
        for (RemoteNode remote : remotes.all()) {
            candidates.add(new Placement.Candidate(remote.name, remote.state(), remote.problems(), capacity(remote),
                    allocated(known, remote.name), teamCounts.getOrDefault(remote.name, 0L)));
        }
        return Placement.choose(candidates, cpus, memoryBytes, pinned);
    }

    public List<Node> nodes() {
        NodeUsage known = usage.getIfAvailable();
        List<Node> nodes = new ArrayList<>();
        RuntimeService runtime = local.getIfAvailable();
        if (runtime != null) {
            NodeStatus status = runtime.status();
            nodes.add(new Node(LOCAL, (status.ready() ? NodeState.UP : NodeState.DOWN).value(), status.problems(),
                    new Capacity(status.cpus(), status.memoryBytes()), allocated(known, LOCAL),
                    known == null ? List.of() : known.unmanaged(LOCAL), status.cgroupVersion(), null, null));
        }
        remotes.all().forEach(remote -> {
            NodeStatus status = remote.status;
            nodes.add(new Node(remote.name, remote.state().value(), remote.problems(), capacity(remote), allocated(known, remote.name),
                    known == null ? List.of() : known.unmanaged(remote.name), status == null ? null : status.cgroupVersion(),
                    remote.url.toString(), remote.lastSeen));
        });
        return nodes;
    }

    private static Capacity capacity(RemoteNode remote) {
        NodeStatus status = remote.status;
        return status == null ? new Capacity(0, 0) : new Capacity(status.cpus(), status.memoryBytes());
    }

    private static NodeUsage.Allocation allocated(NodeUsage known, String node) {
        return known == null ? new NodeUsage.Allocation(0, 0, 0, 0) : known.allocated(node);
    }
}
