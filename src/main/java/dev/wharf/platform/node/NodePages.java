package dev.wharf.platform.node;

import dev.wharf.platform.identity.Caller;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** Admin: the nodes, their state, capacity and allocation (what {@code GET /api/v1/nodes} answers). */
@Controller
class NodePages {

    private final NodeRegistry nodes;

    NodePages(NodeRegistry nodes) {
        this.nodes = nodes;
    }

    @GetMapping("/admin/nodes")
    String nodes(Caller caller, Model model) {
        caller.requireAdmin("list nodes");
        model.addAttribute("nodes", nodes.nodes());
        return "admin/nodes";
    }
}
