package dev.wharf.platform.node;

import dev.wharf.runtime.api.NodeStatus;
import dev.wharf.runtime.api.RuntimeService;
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
