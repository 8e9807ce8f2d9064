package dev.wharf.platform.node;

import dev.wharf.platform.identity.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/nodes")
@Tag(name = "Nodes", description = "Hosts that run containers (admins only)")
class NodeController {

    private final NodeRegistry nodes;

    NodeController(NodeRegistry nodes) {
        this.nodes = nodes;
    }

    @GetMapping
    @Operation(summary = "Nodes with their state (up/down and why), capacity and cgroup version")
    List<NodeRegistry.Node> list(Caller caller) {
        caller.requireAdmin("list nodes");
        return nodes.nodes();
    }
}
