package dev.wharf.platform.node;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.web.PageActions;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * Admin: the nodes, their state, capacity, allocation and last heartbeat (what {@code GET /api/v1/nodes}
 * answers); adding a node (a join token, shown once with the command to run on the host) and removing one.
 */
@Controller
class NodePages {

    private final NodeRegistry nodes;
    private final NodeJoining joining;

    NodePages(NodeRegistry nodes, NodeJoining joining) {
        this.nodes = nodes;
        this.joining = joining;
    }

    @GetMapping("/admin/nodes")
    String nodes(Caller caller, Model model) {
        caller.requireAdmin("list nodes");
        model.addAttribute("nodes", nodes.nodes());
        return "admin/nodes";
    }

    /** A join token for one node; the next page shows it once, inside the command that starts the node. */
    @PostMapping("/admin/nodes/join-tokens")
    String createJoinToken(Caller caller, HttpServletRequest request, RedirectAttributes flash) {
        return PageActions.run(request, flash, "/admin/nodes", () -> {
            NodeJoining.JoinToken token = joining.createToken(caller, null, null);
            String server = ServletUriComponentsBuilder.fromContextPath(request).build().toUriString();
            flash.addFlashAttribute("joinCommand", "java -jar wharf.jar --wharf.mode=node --wharf.node.server=" + server
                    + " --wharf.node.join-token=" + token.token() + " --server.port=7070");
            return "Join token made; it works once, until " + token.expiresAt() + ". Run the command below on the new node's host.";
        });
    }

    @PostMapping("/admin/nodes/{node}/remove")
    String remove(Caller caller, @PathVariable String node, @RequestParam(defaultValue = "false") boolean force,
            HttpServletRequest request, RedirectAttributes flash) {
        return PageActions.run(request, flash, "/admin/nodes", () -> {
            joining.remove(caller, node, force);
            return "Node " + node + " removed; the server will not call it again.";
        });
    }
}
