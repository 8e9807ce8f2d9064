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

    NodeRegistry(ObjectProvider<RuntimeService> local) {
        this.local = local;
    }

    public record Node(String name, String state, List<String> problems, int cpus, long memoryBytes, String cgroupVersion) {
    }

    public List<Node> nodes() {
        RuntimeService runtime = local.getIfAvailable();
        if (runtime == null) {
            return List.of();
        }
        NodeStatus status = runtime.status();
        return List.of(new Node(LOCAL, status.ready() ? "up" : "down", status.problems(), status.cpus(), status.memoryBytes(),
                status.cgroupVersion()));
    }
}
