package dev.wharf.platform.node;

import dev.wharf.runtime.api.NodeStatus;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.Quantities;
import dev.wharf.platform.web.WharfException;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * The nodes the control plane can place containers on. In {@code all} mode that is the local
 * runtime, reported as down (with the reasons) when the host cannot run containers.
 */
@Service
public class NodeRegistry {

    public static final String LOCAL = "local";

    private final ObjectProvider<RuntimeService> local;
    private final ObjectProvider<NodeUsage> usage;

    NodeRegistry(ObjectProvider<RuntimeService> local, ObjectProvider<NodeUsage> usage) {
        this.local = local;
        this.usage = usage;
    }

    public record Capacity(int cpus, long memoryBytes) {
    }

    /**
     * @param allocated   declared limits of the containers placed here
     * @param unmanaged   ids of containers the node runs that the platform does not know
     */
    public record Node(String name, String state, List<String> problems, Capacity capacity, NodeUsage.Allocation allocated,
            List<String> unmanaged, String cgroupVersion) {
    }

    /** The runtime service of the local node, for work that needs one; 503 naming {@code purpose} when there is none. */
    public RuntimeService runtime(String purpose) {
        RuntimeService runtime = local.getIfAvailable();
        if (runtime == null) {
            throw new WharfException(ErrorCategory.UNAVAILABLE, "no node is available to " + purpose);
        }
        return runtime;
    }

    /** The local node's runtime when it is there and can run containers (for reads that can do without it). */
    public java.util.Optional<RuntimeService> ready() {
        return java.util.Optional.ofNullable(local.getIfAvailable()).filter(r -> r.status().ready());
    }

    /**
     * The node a container of these declared limits goes to: in {@code all} mode the local one,
     * if it is up and its capacity minus what is placed there holds the request. Refuses with a
     * problem that says why otherwise.
     */
    public String place(Double cpus, Long memoryBytes) {
        List<Node> all = nodes();
        if (all.isEmpty()) {
            throw new WharfException(ErrorCategory.UNAVAILABLE, "no node is available to run containers");
        }
        List<String> reasons = new java.util.ArrayList<>();
        for (Node node : all) {
            if (!node.state().equals("up")) {
                reasons.add("node " + node.name() + " is down (" + String.join("; ", node.problems()) + ")");
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
            } else {
                return node.name();
            }
        }
        throw new WharfException(ErrorCategory.UNAVAILABLE, "no node has room for this container: " + String.join("; ", reasons));
    }

    public List<Node> nodes() {
        RuntimeService runtime = local.getIfAvailable();
        if (runtime == null) {
            return List.of();
        }
        NodeStatus status = runtime.status();
        NodeUsage known = usage.getIfAvailable();
        return List.of(new Node(LOCAL, status.ready() ? "up" : "down", status.problems(), new Capacity(status.cpus(), status.memoryBytes()),
                known == null ? new NodeUsage.Allocation(0, 0, 0, 0) : known.allocated(LOCAL),
                known == null ? List.of() : known.unmanaged(LOCAL), status.cgroupVersion()));
    }
}
