package dev.wharf.platform.node;

import dev.wharf.runtime.api.NodeStatus;
import dev.wharf.runtime.api.RuntimeService;
import java.net.URI;
import java.time.Instant;
import java.util.List;

/** A joined node as this replica sees it: where it is, its runtime client and what its heartbeats last said. */
final class RemoteNode {

    final String name;
    final URI url;
    final RuntimeService runtime;
    volatile NodeStatus status;
    volatile Instant lastSeen;
    volatile String failure = "no heartbeat answered yet";
    volatile boolean up;

    RemoteNode(String name, URI url, RuntimeService runtime, Instant lastSeen) {
        this.name = name;
        this.url = url;
        this.runtime = runtime;
        this.lastSeen = lastSeen;
    }

    NodeState state() {
        if (up) {
            return NodeState.UP;
        }
        return status == null && lastSeen == null ? NodeState.JOINING : NodeState.DOWN;
    }

    /** Why it is down; for a node that is up, what keeps some containers from running there (no init). */
    List<String> problems() {
        if (up) {
            return status == null ? List.of() : status.problems();
        }
        return status != null && !status.ready() && failure == null ? status.problems() : List.of(failure);
    }
}
